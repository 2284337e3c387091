"""The fax and scan channel: OCR of faxed and scanned purchase orders."""
