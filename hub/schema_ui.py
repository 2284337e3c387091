"""Workbench tables: login attempts, finance decisions awaiting a second person,
disputes from deductions, and run requests for the scheduler.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.tables import BankTransactionRow, Base, OrderRow

# The workbench's lists page through these in order; without them every page sorts the
# whole queue (indexes only: the tables themselves are unchanged).
Index("ix_orders_status_received", OrderRow.status, OrderRow.received_at, OrderRow.id)
Index("ix_bank_transactions_status_booking", BankTransactionRow.status,
      BankTransactionRow.booking_date, BankTransactionRow.id)


class LoginAttemptRow(Base):
    """One login attempt: failed ones in a window refuse further tries (rate limit)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class CashDecisionRow(Base):
    """A finance decision on one bank transaction: a manual match, a deduction, a
    write-off. Above the four-eyes amount it waits for a second person."""

    __tablename__ = "cash_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(String(40), index=True)
    allocations: Mapped[list[Any]]
    remainder_kind: Mapped[str | None] = mapped_column(String(24))
    remainder_amount: Mapped[Decimal | None]
    remainder_invoice_id: Mapped[str | None] = mapped_column(String(40))
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    total: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16), index=True)
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None]


class DisputeRow(Base):
    """A disputed deduction: visible to ADV and to the customer's sales rep."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    transaction_id: Mapped[str] = mapped_column(String(40), index=True)
    invoice_id: Mapped[str | None] = mapped_column(String(40))
    amount: Mapped[Decimal]
    reason_code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolved_at: Mapped[datetime | None]


class RunRequestRow(Base):
    """A person asked for a job to run now; the scheduler picks the request up."""

    __tablename__ = "run_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(80), index=True)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime]
    picked_at: Mapped[datetime | None]
    picked_by: Mapped[str | None] = mapped_column(String(80))
