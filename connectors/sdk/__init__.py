"""The connector SDK: everything a channel connector needs, in one import.

A connector built on this package needs nothing else from o2c::

    from connectors.sdk import RawDocument, Transport, TransportConfig, TransientError

It also offers the scaffold (``o2c connectors new``), the contract checks
(:mod:`connectors.sdk.checks`, ``o2c connectors check``) and pytest base classes that
run them (:mod:`connectors.sdk.testing`).
"""

from __future__ import annotations

from connectors.base import Extractor, RawDocument, ReferenceData, Transport, TransportConfig
from hub.errors import BadDocument, ConfigError, NotAnOrder, TransientError
from hub.model import Address, Channel, Contact, Line, Order, Party, PaymentTerms, Source
from hub.numbers import parse_decimal
from hub.settings import read_secret

__all__ = [
    "Address",
    "BadDocument",
    "Channel",
    "ConfigError",
    "Contact",
    "Extractor",
    "Line",
    "NotAnOrder",
    "Order",
    "Party",
    "PaymentTerms",
    "RawDocument",
    "ReferenceData",
    "Source",
    "TransientError",
    "Transport",
    "TransportConfig",
    "parse_decimal",
    "read_secret",
]
