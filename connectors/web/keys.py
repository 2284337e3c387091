"""API keys of the web order API: made once, shown once, stored hashed.

A key reads ``o2c_<prefix>_<secret>``: the prefix finds the row, the secret (32 random
bytes) proves the holder. Only the sha256 of the whole key is stored. A slow password
hash (argon2) is not needed here and would cap the API's throughput: the secret has 256
bits of entropy, so nobody can search it from its hash, unlike a person's password.
The stored and presented hashes are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, clock
from hub.tables import ApiKeyRow

KEY_SCHEME = "o2c"
_PREFIX_BYTES = 6  # 12 hex characters: the lookup part, not secret
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True)
class NewKey:
    """A key just made: ``key`` is shown to the user once and never stored."""

    key: str
    sender: str
    prefix: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, sender: str, *, actor: str = "cli") -> NewKey:
    """Make a key bound to ``sender`` and store its hash.

    Args:
        session: The caller's transaction.
        sender: The web shop or customer the key speaks for.
        actor: Who made it, for the audit trail.
    """
    prefix = secrets.token_hex(_PREFIX_BYTES)
    key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiKeyRow(
            sender=sender,
            key_prefix=prefix,
            key_hash=_hash(key),
            created_at=clock.now(),
            revoked_at=None,
        )
    )
    audit.record(
        session, [audit.AuditEvent("api_key", prefix, "created", actor, None, {"sender": sender})]
    )
    return NewKey(key=key, sender=sender, prefix=prefix)


def list_keys(session: Session) -> list[ApiKeyRow]:
    """Every key, oldest first (prefixes and senders only; the keys themselves are gone)."""
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)))


def revoke_key(session: Session, prefix: str, *, actor: str = "cli") -> bool:
    """Refuse the key with this prefix from now on; ``False`` when there is none.

    Revoking twice keeps the first revocation time.
    """
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_prefix == prefix))
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(
            session,
            [
                audit.AuditEvent(
                    "api_key", prefix, "revoked", actor, {"revoked": False}, {"revoked": True}
                )
            ],
        )
    return True


def sender_of(session: Session, key: str) -> str | None:
    """The sender a presented key belongs to, or ``None`` for an unknown or revoked key."""
    scheme, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    row = None
    if scheme == KEY_SCHEME and secret and len(prefix) == 2 * _PREFIX_BYTES:
        row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_prefix == prefix))
    stored = row.key_hash if row is not None and row.revoked_at is None else _DUMMY_HASH
    # Compare even for an unknown prefix, so timing does not tell which prefixes exist.
    matches = hmac.compare_digest(_hash(key), stored)
    return row.sender if matches and row is not None else None
