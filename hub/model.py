"""The canonical order: one shape for every channel.

The models serialise exactly to ``contracts/canonical-order.schema.json``: money and
quantities are :class:`decimal.Decimal` in Python and plain decimal strings in JSON,
dates are ISO 8601, unknown values are ``None``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

DocumentType = Literal["order", "order_change", "order_cancel"]
Channel = Literal["edi", "email", "fax", "web", "api", "file"]


def decimal_text(value: Decimal) -> str:
    """Render a Decimal as a plain decimal string (never exponent notation).

    Args:
        value: The amount or quantity.

    Returns:
        The string the schema pattern ``^-?[0-9]+(\\.[0-9]+)?$`` accepts.
    """
    text = format(value, "f")
    if text.startswith("-") and text.strip("-0.") == "":
        text = text[1:]
    return text


def _to_decimal(value: Any) -> Any:
    # Floats never reach an amount: a float here is a caller's bug, refused loudly.
    if isinstance(value, float):
        raise ValueError("amounts must be Decimal or decimal strings, never float")
    if isinstance(value, int):
        return Decimal(value)
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(decimal_text, return_type=str, when_used="json"),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, validate_assignment=False)


class Address(_Model):
    """A postal address."""

    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class Contact(_Model):
    """A person to talk to at a party."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Party(_Model):
    """A buyer, seller, bill-to or ship-to party as the document states it."""

    name: str | None = None
    gln: str | None = Field(default=None, pattern=r"^[0-9]{13}$")
    vat_id: str | None = None
    siret: str | None = Field(default=None, pattern=r"^[0-9]{14}$")
    buyer_assigned_id: str | None = None
    customer_id: str | None = None
    address: Address | None = None
    contact: Contact | None = None


class PaymentTerms(_Model):
    """Payment terms: net days and the text as written."""

    days: int | None = None
    description: str | None = None


class Line(_Model):
    """One order line."""

    line_number: int = Field(ge=1)
    gtin: str | None = Field(default=None, pattern=r"^[0-9]{8,14}$")
    buyer_item_code: str | None = None
    seller_item_code: str | None = None
    sku: str | None = None
    description: str | None = None
    quantity: Money
    unit: str | None = None
    unit_price: Money | None = None
    line_amount: Money | None = None
    requested_delivery_date: date | None = None


class Source(_Model):
    """Where the order came from: channel, format and the raw document's hash."""

    channel: Channel
    format: str | None = None
    document_ref: str | None = None
    sender: str | None = None
    received_at: datetime | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Order(_Model):
    """One customer order, whatever channel it came in by."""

    document_type: DocumentType = "order"
    buyer_order_number: str = Field(min_length=1)
    order_date: date | None = None
    requested_delivery_date: date | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    buyer: Party = Field(default_factory=Party)
    seller: Party | None = None
    bill_to: Party | None = None
    ship_to: Party | None = None
    payment_terms: PaymentTerms | None = None
    incoterms: str | None = None
    lines: list[Line] = Field(min_length=1)
    total_amount: Money | None = None
    notes: list[str] = Field(default_factory=list)
    source: Source
    confidence: dict[str, float] = Field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """Return the order as the JSON object the schema describes."""
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        """Return the order as one line of JSON (the JSON Lines form of ``o2c extract``)."""
        return json.dumps(self.to_json_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Order:
        """Build an order from its JSON object.

        Raises:
            pydantic.ValidationError: when the object does not fit the schema.
        """
        return cls.model_validate(data)

    def min_confidence(self) -> float:
        """The lowest confidence of any field (1.0 when every field is certain)."""
        return min(self.confidence.values(), default=1.0)
