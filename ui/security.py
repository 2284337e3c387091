"""Passwords, signed session cookies, CSRF tokens and the login rate limit.

The session is a small signed cookie (HMAC-SHA256 over its JSON): the user name, a CSRF
token and the time it was issued. Nothing secret lives in it, and a user who is
deactivated loses access on the next request because every request reads the user row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import clock
from hub.schema_ui import LoginAttemptRow
from hub.tables import UserRow

ROLES = ("adv", "finance", "sales", "it", "admin")
COOKIE = "o2c_session"
SESSION_SECONDS = 12 * 3600

_hasher = PasswordHasher()
_dummy: dict[str, str] = {}


def _dummy_hash() -> str:
    """A real hash to verify unknown users against: both paths take as long, so the
    response time does not tell which user names exist."""
    if "hash" not in _dummy:
        _dummy["hash"] = _hasher.hash(secrets.token_hex(16))
    return _dummy["hash"]


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (``None``: an unknown user, always false)."""
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def secret_key(folder: Path) -> bytes:
    """``O2C_SECRET_KEY``, else a key generated once into ``folder/secret_key`` (0600)."""
    if value := os.environ.get("O2C_SECRET_KEY"):
        return value.encode()
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class SessionData:
    """What the session cookie holds."""

    username: str | None
    csrf: str
    issued: float
    flash: str | None = None
    flash_error: bool = False

    @classmethod
    def fresh(cls, username: str | None = None) -> SessionData:
        """A new session (a new CSRF token too: no fixation across a login)."""
        return cls(username, secrets.token_urlsafe(24), clock.now().timestamp())


class Signer:
    """Signs and reads session cookies with one key."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def dumps(self, data: SessionData) -> str:
        """The cookie value for ``data``."""
        body = _b64(json.dumps({"u": data.username, "c": data.csrf, "t": data.issued,
                                "f": data.flash, "e": data.flash_error}).encode())
        return f"{body}.{self._mac(body)}"

    def loads(self, value: str | None) -> SessionData | None:
        """The session in a cookie value, or ``None`` when unsigned, forged or expired."""
        if not value or "." not in value:
            return None
        body, mac = value.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        try:
            padded = body + "=" * (-len(body) % 4)
            raw: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
            data = SessionData(raw.get("u"), str(raw["c"]), float(raw["t"]), raw.get("f"),
                               bool(raw.get("e")))
        except (ValueError, KeyError, TypeError):
            return None
        if clock.now().timestamp() - data.issued > SESSION_SECONDS:
            return None
        return data

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one sent."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass(frozen=True)
class RateLimit:
    """At most ``failures`` failed logins per user name or address in ``window``."""

    failures: int = 5
    window: timedelta = timedelta(minutes=15)


def login_blocked(session: Session, username: str, address: str, limit: RateLimit) -> bool:
    """Whether too many recent failed logins name this user or come from this address."""
    since = clock.now() - limit.window
    count = session.scalar(
        select(func.count()).select_from(LoginAttemptRow).where(
            LoginAttemptRow.at >= since, LoginAttemptRow.succeeded.is_(False),
            (LoginAttemptRow.username == username) | (LoginAttemptRow.address == address)))
    return int(count or 0) >= limit.failures


def record_attempt(session: Session, username: str, address: str, succeeded: bool) -> None:
    """Remember a login attempt (for the rate limit and the audit trail)."""
    session.add(LoginAttemptRow(username=username[:80], address=address[:64],
                                at=clock.now(), succeeded=succeeded))


def find_user(session: Session, username: str) -> UserRow | None:
    """The active user of that name."""
    row = session.get(UserRow, username)
    return row if row is not None and row.active else None
