"""The error types every room raises at its edges.

The command line and the workbench print ``str(error)``: one line naming the file, the
place in it and the reason. The scheduler decides what to do from the type: a
:class:`BadDocument` is quarantined and never retried, a :class:`TransientError` is
retried with backoff, a :class:`ConfigError` pauses the channel and raises an alert.
"""

from __future__ import annotations


class O2CError(Exception):
    """Base of every error o2c raises on purpose."""


class BadDocument(O2CError):  # noqa: N818 - the trade name of the thing, used across the design
    """A document that cannot be turned into orders or transactions.

    Args:
        reason: Why, in one line, in words a user understands.
        location: Where in the document: segment number, line, XPath, page, field.
        source: The file name or document reference, filled by whoever knows it.
        code: A stable machine-readable reason, e.g. ``UNREADABLE_DOCUMENT``.
    """

    def __init__(
        self,
        reason: str,
        *,
        location: str | None = None,
        source: str | None = None,
        code: str = "UNREADABLE_DOCUMENT",
    ) -> None:
        super().__init__(reason)
        self.reason = " ".join(reason.split())
        self.location = location
        self.source = source
        self.code = code

    def with_source(self, source: str) -> BadDocument:
        """Return the same error naming ``source`` (kept when one is already named)."""
        if not self.source:
            self.source = source
        return self

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.location) if p]
        where = ": ".join(parts)
        return f"{where}: {self.reason}" if where else self.reason


class NotAnOrder(BadDocument):
    """A document that is readable but holds no order (a newsletter, a cover sheet)."""

    def __init__(self, reason: str, **kwargs: object) -> None:
        kwargs.setdefault("code", "NOT_AN_ORDER")
        super().__init__(reason, **kwargs)  # type: ignore[arg-type]


class TransientError(O2CError):
    """A failure that may pass: network down, server busy. Retried with backoff."""


class ConfigError(O2CError):
    """A setting is wrong: bad password, missing option, a portal that changed.

    The message says how to fix it.
    """
