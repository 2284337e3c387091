"""The EDI channel: EDIFACT, UBL, Order-X and X12 orders in, acknowledgements out."""
