"""An inbound document as the hub receives it, before anything parses it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from hub.model import Channel


@dataclass(frozen=True)
class RawDocument:
    """The bytes of one inbound document and what its source says about it.

    ``name`` is for display and format hints only: it never becomes a path.
    """

    content: bytes
    name: str
    channel: Channel = "file"
    sender: str | None = None
    received_at: datetime | None = None
    document_ref: str | None = None
    media_type: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def sha256(self) -> str:
        """Hex sha256 of the bytes: the document's identity everywhere in o2c."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def head(self) -> bytes:
        """The first 4 KiB, enough for every format's magic."""
        return self.content[:4096]
