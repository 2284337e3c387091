"""workbench: login attempts, cash decisions, disputes, run requests

Revision ID: ui_0001
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.dbtypes

revision = "ui_0001"
down_revision = "0001"
branch_labels = ("ui",)
depends_on = None

_AMOUNT = hub.dbtypes.Amount(precision=20, scale=6)
_INSTANT = hub.dbtypes.Instant(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", _INSTANT, nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    for column in ("username", "address", "at"):
        op.create_index(op.f(f"ix_login_attempts_{column}"), "login_attempts", [column])
    op.create_table(
        "cash_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transaction_id", sa.String(length=40), nullable=False),
        sa.Column("allocations", hub.dbtypes.JsonDoc, nullable=False),
        sa.Column("remainder_kind", sa.String(length=24), nullable=True),
        sa.Column("remainder_amount", _AMOUNT, nullable=True),
        sa.Column("remainder_invoice_id", sa.String(length=40), nullable=True),
        sa.Column("disputed", sa.Boolean(), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("total", _AMOUNT, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=80), nullable=False),
        sa.Column("proposed_at", _INSTANT, nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", _INSTANT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_decisions")),
    )
    for column in ("transaction_id", "status"):
        op.create_index(op.f(f"ix_cash_decisions_{column}"), "cash_decisions", [column])
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("transaction_id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=True),
        sa.Column("amount", _AMOUNT, nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("resolved_by", sa.String(length=80), nullable=True),
        sa.Column("resolved_at", _INSTANT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    for column in ("customer_id", "transaction_id", "status"):
        op.create_index(op.f(f"ix_disputes_{column}"), "disputes", [column])
    op.create_table(
        "run_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job", sa.String(length=80), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", _INSTANT, nullable=False),
        sa.Column("picked_at", _INSTANT, nullable=True),
        sa.Column("picked_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_requests")),
    )
    op.create_index(op.f("ix_run_requests_job"), "run_requests", ["job"])
    op.create_index("ix_orders_status_received", "orders", ["status", "received_at", "id"])
    op.create_index("ix_bank_transactions_status_booking", "bank_transactions",
                    ["status", "booking_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_bank_transactions_status_booking", table_name="bank_transactions")
    op.drop_index("ix_orders_status_received", table_name="orders")
    op.drop_table("run_requests")
    op.drop_table("disputes")
    op.drop_table("cash_decisions")
    op.drop_table("login_attempts")
