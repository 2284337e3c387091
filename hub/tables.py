"""Database tables (SQLAlchemy 2). Alembic migrations in ``hub/migrations`` create them.

Rows are named ``...Row`` to keep them apart from the canonical pydantic models.
Bulk paths use the ``__table__`` of these classes through SQLAlchemy Core.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hub.dbtypes import Amount, Instant, JsonDoc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Order states a robot may claim; the partial index covers exactly these.
CLAIMABLE_ORDER_STATES = ("received", "extracted", "validated", "grouped")
_CLAIMABLE_SQL = text("status IN ('received', 'extracted', 'validated', 'grouped')")


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads it as a class attribute
        Decimal: Amount(),
        datetime: Instant(),
        dict[str, Any]: JsonDoc,
        list[Any]: JsonDoc,
    }


# --- raw documents -------------------------------------------------------------------


class DocumentRow(Base):
    """One inbound document, stored before anything parses it."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255))
    source_ref: Mapped[str | None] = mapped_column(String(512))
    sender: Mapped[str | None] = mapped_column(String(255), index=True)
    received_at: Mapped[datetime]
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(40))
    order_count: Mapped[int] = mapped_column(Integer, default=0)


class DocumentContentRow(Base):
    """The raw bytes of a document, keyed by their sha256 (shared by every machine)."""

    __tablename__ = "document_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class EvidenceRow(Base):
    """An image or excerpt of the document behind one extracted field (OCR crops)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_sha256: Mapped[str] = mapped_column(String(64), index=True)
    order_id: Mapped[str | None] = mapped_column(String(40), index=True)
    field: Mapped[str] = mapped_column(String(80))
    page: Mapped[int | None] = mapped_column(Integer)
    box: Mapped[list[Any] | None]
    media_type: Mapped[str] = mapped_column(String(40), default="image/png")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)


# --- orders --------------------------------------------------------------------------


class OrderRow(Base):
    """One canonical order in the queue. Lines live in :class:`OrderLineRow`."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint(
            "buyer_key",
            "buyer_order_number",
            "document_type",
            "document_sha256",
            name="uq_orders_identity",
        ),
        Index(
            "ix_orders_claimable",
            "status",
            "id",
            postgresql_where=_CLAIMABLE_SQL,
            sqlite_where=_CLAIMABLE_SQL,
        ),
        Index("ix_orders_customer_po", "customer_id", "buyer_order_number"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    document_sha256: Mapped[str] = mapped_column(String(64), index=True)
    document_type: Mapped[str] = mapped_column(String(16))
    buyer_order_number: Mapped[str] = mapped_column(String(80), index=True)
    buyer_key: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(40))
    sender: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    ship_to_address_id: Mapped[str | None] = mapped_column(String(40))
    bill_to_address_id: Mapped[str | None] = mapped_column(String(40))
    group_id: Mapped[str | None] = mapped_column(String(40), index=True)
    original_order_id: Mapped[str | None] = mapped_column(String(40))
    order_date: Mapped[date | None] = mapped_column(Date)
    requested_delivery_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    total_amount: Mapped[Decimal | None]
    min_confidence: Mapped[float] = mapped_column(Float, default=1.0)
    header: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class OrderLineRow(Base):
    """One line of an order."""

    __tablename__ = "order_lines"

    order_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    line_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    gtin: Mapped[str | None] = mapped_column(String(14))
    buyer_item_code: Mapped[str | None] = mapped_column(String(80))
    seller_item_code: Mapped[str | None] = mapped_column(String(80))
    sku: Mapped[str | None] = mapped_column(String(80), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal]
    unit: Mapped[str | None] = mapped_column(String(8))
    unit_price: Mapped[Decimal | None]
    line_amount: Mapped[Decimal | None]
    requested_delivery_date: Mapped[date | None] = mapped_column(Date)
    extra: Mapped[dict[str, Any] | None]


class OrderExceptionRow(Base):
    """A problem a robot found on an order, until a person resolves it."""

    __tablename__ = "order_exceptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(40), index=True)
    field: Mapped[str | None] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)
    expected: Mapped[str | None] = mapped_column(Text)
    found: Mapped[str | None] = mapped_column(Text)
    suggestion: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(16), default="adv")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution: Mapped[str | None] = mapped_column(Text)


class OrderGroupRow(Base):
    """Orders consolidated into one delivery, with the rule that grouped them."""

    __tablename__ = "order_groups"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(255), index=True)
    rule: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String(40))
    ship_to_address_id: Mapped[str | None] = mapped_column(String(40))
    delivery_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]


class OutboxRow(Base):
    """A message to send (ERP export, webhook, EDI response), written in the same
    transaction as the state change that causes it, and sent exactly once."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(512))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


# --- audit and runs ------------------------------------------------------------------


class AuditEventRow(Base):
    """Who did what to which thing, when, with the state before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    detail: Mapped[str | None] = mapped_column(Text)


class RunRow(Base):
    """One run of a connector poll or a robot.

    ``scheduled_for`` is the trigger's slot: the unique (job, slot) pair lets several
    schedulers share a cluster while each trigger fires once.
    """

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("job", "scheduled_for", name="uq_runs_job_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(80), index=True)
    scheduled_for: Mapped[datetime | None]
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)
    error_type: Mapped[str | None] = mapped_column(String(16))
    evidence: Mapped[dict[str, Any] | None]
    host: Mapped[str | None] = mapped_column(String(80))


class JobStateRow(Base):
    """A scheduled job's standing: paused by a configuration error, its alert, its retries."""

    __tablename__ = "job_states"

    job: Mapped[str] = mapped_column(String(80), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    alert: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_retry_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(80))


# --- master data ---------------------------------------------------------------------


class CustomerRow(Base):
    """A customer account (``customers.csv``)."""

    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    vat_id: Mapped[str | None] = mapped_column(String(40), index=True)
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    gln: Mapped[str | None] = mapped_column(String(13), index=True)
    ibans: Mapped[list[Any]]
    email_domains: Mapped[list[Any]]
    credit_limit: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    sales_rep: Mapped[str | None] = mapped_column(String(80), index=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class CustomerAddressRow(Base):
    """A bill-to or ship-to address of a customer (``customer_addresses.csv``)."""

    __tablename__ = "customer_addresses"

    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    address_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(255))
    street: Mapped[str | None] = mapped_column(String(255))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    gln: Mapped[str | None] = mapped_column(String(13), index=True)


class ProductRow(Base):
    """A product we sell (``products.csv``)."""

    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(80), primary_key=True)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(8))
    unit_price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    pack_unit: Mapped[str | None] = mapped_column(String(8))
    pack_size: Mapped[Decimal | None]
    weight_kg: Mapped[Decimal | None]
    volume_m3: Mapped[Decimal | None]


class CustomerItemRow(Base):
    """A customer's own code for one of our products (``customer_items.csv``)."""

    __tablename__ = "customer_items"

    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_item_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    sku: Mapped[str] = mapped_column(String(80))


class OpenItemRow(Base):
    """An invoice not yet fully paid (``open_items.csv``)."""

    __tablename__ = "open_items"

    invoice_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal]
    open_amount: Mapped[Decimal]
    reference: Mapped[str | None] = mapped_column(String(80), index=True)


class EdiPartnerRow(Base):
    """An EDI trading partner: who sends, for which customer, what they want back."""

    __tablename__ = "edi_partners"

    partner_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(40))
    syntax: Mapped[str] = mapped_column(String(16), default="edifact")
    version: Mapped[str | None] = mapped_column(String(16))
    acknowledgement: Mapped[bool] = mapped_column(Boolean, default=False)
    order_response: Mapped[bool] = mapped_column(Boolean, default=False)
    outbox: Mapped[str | None] = mapped_column(String(512))


# --- cash ----------------------------------------------------------------------------


class StatementRow(Base):
    """One bank statement (or notification) as imported."""

    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("account", "statement_ref", "document_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64))
    statement_ref: Mapped[str] = mapped_column(String(80))
    format: Mapped[str] = mapped_column(String(24))
    statement_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    opening_balance: Mapped[Decimal | None]
    closing_balance: Mapped[Decimal | None]
    document_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]


class BankTransactionRow(Base):
    """One bank entry; customer receipts move through the payment states."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        UniqueConstraint(
            "account",
            "bank_reference",
            "booking_date",
            "amount",
            name="uq_bank_transactions_identity",
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    bank_reference: Mapped[str] = mapped_column(String(80))
    booking_date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    bank_code: Mapped[str | None] = mapped_column(String(40))
    payer_name: Mapped[str | None] = mapped_column(String(255))
    payer_iban: Mapped[str | None] = mapped_column(String(34), index=True)
    payer_bic: Mapped[str | None] = mapped_column(String(11))
    end_to_end_id: Mapped[str | None] = mapped_column(String(80))
    remittance: Mapped[str | None] = mapped_column(Text)
    structured_reference: Mapped[str | None] = mapped_column(String(80))
    return_reason: Mapped[str | None] = mapped_column(String(16))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    imported_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None]


class PaymentApplicationRow(Base):
    """Cash applied (or proposed) from one transaction to one invoice."""

    __tablename__ = "payment_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("bank_transactions.id"), index=True
    )
    invoice_id: Mapped[str | None] = mapped_column(String(40), index=True)
    applied_amount: Mapped[Decimal]
    kind: Mapped[str] = mapped_column(String(24), default="invoice")
    status: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    proposed_by: Mapped[str] = mapped_column(String(80))
    approved_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    posted_at: Mapped[datetime | None]


class PayerAliasRow(Base):
    """A payer name or IBAN finance has tied to a customer: what matching learns."""

    __tablename__ = "payer_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    payer_name: Mapped[str | None] = mapped_column(String(255), index=True)
    payer_iban: Mapped[str | None] = mapped_column(String(34), index=True)
    source: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]


# --- access --------------------------------------------------------------------------


class UserRow(Base):
    """A workbench user."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    """A web order API key, stored hashed, bound to one sender."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender: Mapped[str] = mapped_column(String(120), index=True)
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class IdempotencyKeyRow(Base):
    """An ``Idempotency-Key`` a sender used, and the order it created."""

    __tablename__ = "idempotency_keys"

    sender: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]

from hub import schema_email as _schema_email  # noqa: E402, F401 - registers the e-mail tables
from hub import schema_ui as _schema_ui  # noqa: E402, F401 - registers the workbench tables
