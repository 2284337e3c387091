"""Small builders for canonical orders used across hub tests."""

from __future__ import annotations

import hashlib
from typing import Any

from hub.model import Order


def sha(text: str) -> str:
    """A sha256 for a made-up document."""
    return hashlib.sha256(text.encode()).hexdigest()


def order(po: str = "PO-1", *, doc: str = "doc-1", lines: int = 2, **extra: Any) -> Order:
    """An order from ACME with ``lines`` lines, extracted from document ``doc``."""
    data: dict[str, Any] = {
        "buyer_order_number": po,
        "order_date": "2026-11-20",
        "currency": "EUR",
        "buyer": {"name": "ACME SARL", "gln": "3012345000010"},
        "lines": [
            {"line_number": n, "gtin": "3012345678901", "quantity": f"{n}.5",
             "unit": "C62", "unit_price": "12.40", "line_amount": None}
            for n in range(1, lines + 1)
        ],
        "total_amount": "99.90",
        "source": {"channel": "file", "format": "csv", "sha256": sha(doc)},
    }
    data.update(extra)
    return Order.model_validate(data)
