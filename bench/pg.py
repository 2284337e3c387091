"""A PostgreSQL schema of its own for each benchmark run, dropped afterwards."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text


def server_url() -> str | None:
    """The PostgreSQL server benchmarks use: ``O2C_BENCH_PG_URL``, else ``O2C_TEST_PG_URL``."""
    return os.environ.get("O2C_BENCH_PG_URL") or os.environ.get("O2C_TEST_PG_URL")


def pg_schema_url(base: str, prefix: str = "bench") -> tuple[str, str]:
    """A URL into a fresh schema of the PostgreSQL server, and the schema's name."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    """Remove a benchmark's schema and everything in it."""
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
