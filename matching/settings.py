"""How sure cash application must be, and which differences it explains (``[match]``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class MatchSettings(BaseModel):
    """The ``[match]`` section of ``o2c.toml``."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    auto_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    """A proposal is applied with no human only at or above this confidence."""

    margin: float = Field(default=0.1, ge=0.0, le=1.0)
    """A competing proposal within this much of the best makes the match ambiguous."""

    discount_rates: list[Decimal] = Field(
        default_factory=lambda: [Decimal(x) for x in ("0.01", "0.015", "0.02", "0.025", "0.03")]
    )
    """Early-payment discount rates customers may take (0.02 is 2 %)."""

    discount_days: int = Field(default=30, ge=0)
    """A discount is accepted only when paid within this many days of the invoice date."""

    bank_charges_limit: Decimal = Decimal("25.00")
    """A shortfall up to this amount, with nothing else to explain it, is bank charges."""

    amount_only_limit: int = Field(default=50, ge=1)
    """Beyond this many open items, an amount-only subset never applies automatically."""

    batch_size: int = Field(default=5000, ge=1)
    """How many imported transactions one run of the ``match`` robot takes."""

    four_eyes_amount: Decimal = Decimal("10000.00")
    """A manual application (reassign, split) above this amount needs a second person."""
