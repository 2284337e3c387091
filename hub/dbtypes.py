"""Column types that keep o2c's rules true on every database.

* :class:`Amount`: exact decimals. SQLite has no decimal type and would store a float,
  so there amounts are kept as integers of millionths; PostgreSQL uses ``NUMERIC``.
  SQL sums stay exact on both.
* :class:`Instant`: timezone-aware datetimes, stored as UTC. SQLite drops the zone, so
  it is put back on the way out.
* :data:`JsonDoc`: JSON, as JSONB on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

SCALE = 6
_FACTOR = Decimal(10) ** SCALE

JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class Amount(TypeDecorator[Decimal]):
    """An exact decimal with up to six places."""

    impl = Numeric(20, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(20, SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("amounts must be Decimal, never float")
        value = Decimal(value)
        scaled = value * _FACTOR
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {SCALE} decimal places")
        return int(scaled) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        exact = Decimal(int(value)) / _FACTOR if dialect.name == "sqlite" else Decimal(value)
        return _tidy(exact)


def _tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without ever switching to exponent notation."""
    if not value:
        return Decimal(0)
    tidy = value.normalize()
    return tidy.quantize(Decimal(1)) if tidy.as_tuple().exponent > 0 else tidy  # type: ignore[operator]


class Instant(TypeDecorator[datetime]):
    """A point in time, always timezone-aware (UTC in storage)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must carry a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
