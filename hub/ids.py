"""Identifiers made on the client, sortable by creation time (ULID layout).

Made before the insert so that bulk paths can write an order and its lines in one
round trip, on any number of processes, without asking the database for keys.
"""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str) -> str:
    """A new identifier such as ``ORD-01JD3Q5M7Y8Z9ABCDEFGHJKMNP``.

    Args:
        prefix: The kind of thing: ``ORD``, ``DOC``, ``TRX``, ``GRP``.
    """
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return f"{prefix}-{''.join(reversed(chars))}"
