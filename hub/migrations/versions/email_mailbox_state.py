"""e-mail channel mailbox state

Revision ID: email_0001
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.dbtypes

revision = "email_0001"
down_revision = "0001"
branch_labels = ("email",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_folders",
        sa.Column("account", sa.String(length=255), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", hub.dbtypes.Instant(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "folder", name=op.f("pk_email_folders")),
    )
    op.create_table(
        "email_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(length=255), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=False),
        sa.Column("claimed_at", hub.dbtypes.Instant(timezone=True), nullable=False),
        sa.Column("settled_at", hub.dbtypes.Instant(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
        sa.UniqueConstraint(
            "account", "folder", "uidvalidity", "uid",
            name=op.f("uq_email_messages_account"),
        ),
    )
    op.create_index(
        "ix_email_messages_pending",
        "email_messages",
        ["account", "folder", "uidvalidity", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_email_messages_pending", table_name="email_messages")
    op.drop_table("email_messages")
    op.drop_table("email_folders")
