"""How amounts and instants are written on the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any


def money(value: Any, currency: str | None = None) -> str:
    """``12 345.60 EUR``: two decimals, thin groups, never a float on the way."""
    if value is None or value == "":
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{amount.quantize(Decimal('0.01')):,}".replace(",", "\u202f")
    return f"{text} {currency}" if currency else text


def when(value: datetime | None) -> str:
    """An instant as ``2026-11-22 14:05 UTC``."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


def age(seconds: float) -> str:
    """A delay in words people read at a glance: ``42 s``, ``7 min``, ``3 h``, ``2 d``."""
    for limit, unit in ((60, "s"), (3600, "min"), (86400, "h")):
        if seconds < limit:
            divisor = {"s": 1, "min": 60, "h": 3600}[unit]
            return f"{seconds / divisor:.0f} {unit}"
    return f"{seconds / 86400:.1f} d"
