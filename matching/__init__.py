"""Cash application: bank statements in, payments matched to the invoices they pay."""
