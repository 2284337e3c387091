"""Bulk writes: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

The ORM unit of work is far too slow for the queue's bulk paths, and even Core
``executemany`` sends one statement per row to PostgreSQL; ``COPY`` streams the rows in
one command. Values are prepared by each column's own type (exact amounts, UTC
instants), so the rules of :mod:`hub.dbtypes` hold on this path too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session

COPY_THRESHOLD = 50


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name) into ``table`` in the caller's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD:
        session.execute(insert(table), list(rows))
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    dialect = connection.dialect
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    json_columns = [_is_json(c.type) for c in columns]
    names = ", ".join(f'"{c.name}"' for c in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([
                _value(row.get(c.name), process, is_json)
                for c, process, is_json in zip(columns, processors, json_columns, strict=True)
            ])


def update_rows(session: Session, table: Table, keys: Sequence[str],
                rows: Sequence[dict[str, Any]]) -> None:
    """Update rows found by ``keys`` in the caller's transaction, in one driver-level
    ``executemany``.

    Every dict holds the key columns and the same columns to set. Values are prepared by
    each column's own type, as for inserts; Core's per-row parameter handling, the
    larger share of a Core ``executemany`` of thousands of rows, is skipped.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = [n for n in rows[0] if n not in keys] + list(keys)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f'UPDATE "{table.name}" SET '
           + ", ".join(f'"{n}" = {mark}' for n in names[:-len(keys)])
           + " WHERE " + " AND ".join(f'"{k}" = {mark}' for k in keys))
    columns = [table.c[n] for n in names]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    json_columns = [_is_json(c.type) for c in columns]
    connection.exec_driver_sql(sql, [
        tuple(_value(row[n], process, is_json)
              for n, process, is_json in zip(names, processors, json_columns, strict=True))
        for row in rows])


def _is_json(column_type: Any) -> bool:
    impl = getattr(column_type, "impl", column_type)
    return isinstance(column_type, JSON) or isinstance(impl, JSON)


def _value(value: Any, process: Any, is_json: bool) -> Any:
    if value is None:
        return None
    if is_json:
        return json.dumps(value, ensure_ascii=False, default=str)
    return process(value) if process else value
