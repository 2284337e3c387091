"""The ``[validate]`` section of ``o2c.toml``: every rule and threshold of validation."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from hub.settings import Section, Settings

#: UN/ECE Recommendation 20 codes and the spellings that mean the same unit.
DEFAULT_UNIT_SYNONYMS: dict[str, str] = {
    "EA": "C62", "PCE": "C62", "PCS": "C62", "PC": "C62", "H87": "C62", "U": "C62",
    "UN": "C62", "UNIT": "C62", "PIECE": "C62", "PIECES": "C62", "ST": "C62",
    "CAR": "CT", "CS": "CT", "CARTON": "CT", "CASE": "CT", "COLIS": "CT",
    "PACK": "PK", "PAC": "PK", "PAQUET": "PK",
    "KG": "KGM", "L": "LTR", "M": "MTR",
}


class ValidateSettings(Section):
    """Validation rules (``[validate]``). Amounts and percentages are decimals."""

    batch_size: int = Field(default=500, gt=0)
    """Orders claimed per batch; each batch is one transaction."""

    fuzzy_name_threshold: float = Field(default=90.0, ge=0, le=100)
    """Lowest name similarity (0-100: the better of rapidfuzz's token sort ratio and plain
    ratio, on names with and without legal form) at which a customer found by name and
    postal code is accepted."""

    fuzzy_name_margin: float = Field(default=8.0, ge=0, le=100)
    """When a second customer scores within this many points of the best, the order is
    ``AMBIGUOUS_CUSTOMER`` instead of a guess."""

    address_street_threshold: float = Field(default=88.0, ge=0, le=100)
    """Lowest street similarity (same postal code) for a ship-to or bill-to written
    differently from the master data to resolve to a known address."""

    suggestions: int = Field(default=3, ge=0)
    """How many candidates an exception suggests (customers, addresses, products)."""

    sender_customers: dict[str, str] = Field(default_factory=dict)
    """Portal accounts and API senders (``source.sender``) that stand for one customer:
    sender -> customer_id. A sender equal to a customer id needs no entry."""

    currency_from_customer: bool = True
    """An order that states no currency takes the customer's account currency; when
    false, a missing currency is ``MISSING_FIELD``."""

    price_tolerance_pct: Decimal = Field(default=Decimal(2), ge=0)
    """Allowed gap between the ordered unit price and the price list, in percent."""

    customer_price_tolerance_pct: dict[str, Decimal] = Field(default_factory=dict)
    """Per-customer price tolerance in percent (customer_id -> percent)."""

    amount_tolerance: Decimal = Field(default=Decimal("0.01"), ge=0)
    """Rounding allowed per line between a stated amount and quantity x unit price; the
    order total may differ from the sum of its lines by this much per line."""

    check_delivery_dates: bool = True
    """Whether requested delivery dates are checked against today and lead times."""

    duplicate_window_days: int = Field(default=3, ge=0)
    """Orders of one customer with the same lines to the same ship-to within this many
    days are ``DUPLICATE_ORDER``: the same document sent twice, by fax and by e-mail.
    Kept short because repeat orders of the same lines are normal replenishment. The same
    PO number is a duplicate at any distance."""

    quantity_anomaly_factor: Decimal = Field(default=Decimal(10), gt=1)
    """A line quantity more than this many times the customer's average for the
    product, or less than the average divided by it, is ``QUANTITY_ANOMALY``."""

    quantity_history_min: int = Field(default=3, ge=1)
    """Past lines of the customer for the product needed before its quantities are
    judged with ``quantity_anomaly_factor``."""

    thin_history_anomaly_factor: Decimal = Field(default=Decimal(30), gt=1)
    """With at least one but fewer than ``quantity_history_min`` past lines of the
    customer for the product, a quantity more than this many times their average (or
    less than the average divided by it) is ``QUANTITY_ANOMALY``: a few lines say less
    than many, so only a gross gap (a digit or two too many) is raised."""

    product_history_min: int = Field(default=5, ge=1)
    """When the customer never ordered the product, its lines from every customer (at
    least this many) are what the quantity is judged against."""

    product_anomaly_factor: Decimal = Field(default=Decimal(100), gt=1)
    """A quantity more than this many times the product's average line over every
    customer (or less than the average divided by it) is ``QUANTITY_ANOMALY`` when the
    customer has no history of the product. Wide, because customers of one product
    differ in size."""

    history_days: int = Field(default=365, ge=1)
    """How far back order history is read for quantities and duplicates."""

    min_confidence: float = Field(default=0.85, ge=0, le=1)
    """Extracted fields below this confidence go to ADV as ``LOW_CONFIDENCE``."""

    overdue_days: int = Field(default=30, ge=0)
    """Open items overdue by more than this many days hold new orders
    (``OVERDUE_BALANCE``)."""

    credit_check: bool = True
    """Whether credit limit, overdue balance and blocked customers are checked."""

    four_eyes_amount: Decimal = Field(default=Decimal(10000), ge=0)
    """A credit hold on an order above this total needs a second person to release."""

    unit_synonyms: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_UNIT_SYNONYMS))
    """Unit spellings mapped to one code before products' units are compared."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ValidateSettings:
        """The section as configured (defaults where ``o2c.toml`` is silent)."""
        return settings.section("validate", cls)

    def price_tolerance_for(self, customer_id: str | None) -> Decimal:
        """The price tolerance in percent that applies to one customer."""
        if customer_id and customer_id in self.customer_price_tolerance_pct:
            return self.customer_price_tolerance_pct[customer_id]
        return self.price_tolerance_pct

    def unit_code(self, unit: str | None) -> str | None:
        """One code for a unit however it was spelled (``pcs`` -> ``C62``)."""
        if not unit:
            return None
        key = unit.strip().upper().rstrip(".")
        return self.unit_synonyms.get(key, key)
