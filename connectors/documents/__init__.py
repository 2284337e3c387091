"""Order documents: text PDFs, CSV/XLSX order sheets, and the layout reader PDFs and OCR share."""
