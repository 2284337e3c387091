"""Guards the contract checks run connectors under: no network, captured logs."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class NetworkUsed(ConnectionRefusedError):  # noqa: N818 - reads as the finding it reports
    """A connector opened a network connection where it must not.

    A connection error, so that a transport meets it as it would meet a network down.
    """


#: What a connection goes through: patched while :func:`no_network` runs.
_PATCHED: tuple[tuple[Any, str], ...] = (
    (socket.socket, "connect"),
    (socket.socket, "connect_ex"),
    (socket, "create_connection"),
    (socket, "getaddrinfo"),
)


@contextmanager
def no_network() -> Iterator[list[str]]:
    """Make every outbound connection and name lookup fail while the block runs.

    Yields:
        The attempts made (``"connect ('1.2.3.4', 80)"``): a connector that swallows the
        error is still caught by the list not being empty.
    """
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def blocked(*args: Any, **_kwargs: Any) -> Any:
            target = args[1] if what.startswith("socket.") and len(args) > 1 else args[:1]
            attempts.append(f"{what} {target!r}")
            raise NetworkUsed(f"network used: {what} {target!r}")

        return blocked

    saved = [(owner, attr, getattr(owner, attr)) for owner, attr in _PATCHED]
    for owner, attr in _PATCHED:
        setattr(owner, attr, refuse(f"{'socket.' if owner is socket.socket else ''}{attr}"))
    try:
        yield attempts
    finally:
        for owner, attr, original in saved:
            setattr(owner, attr, original)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]}"
        self.lines.append(text)


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every log line written (at any level, any logger) while the block runs."""
    collector = _Collector()
    root = logging.getLogger()
    level = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    try:
        yield collector.lines
    finally:
        root.removeHandler(collector)
        root.setLevel(level)
