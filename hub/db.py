"""Engine, sessions and migrations for SQLite (one machine) and PostgreSQL (many)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "o2c_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys.

    Raises:
        ConfigError: when the URL is not one SQLAlchemy understands.
    """
    try:
        if url.startswith("sqlite"):
            _ensure_sqlite_folder(url)
            engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin_immediate)
            return engine
        return create_engine(url, pool_pre_ping=True, **kwargs)
    except Exception as exc:  # sqlalchemy raises several types for a bad URL
        raise ConfigError(f"database URL {url!r} is not usable: {exc}") from None


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off so that every transaction starts with
    # BEGIN IMMEDIATE (below): a transaction that read first and writes later could
    # otherwise fail at once with "database is locked" when another process (the
    # scheduler, the workbench, the API) committed in between; with the write lock taken
    # up front, it waits its turn (busy_timeout) instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # A read-only session (a workbench page) may share the database with other readers;
    # everything else takes the write lock up front.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (every Alembic head)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


class Database:
    """One database: its engine and a session factory.

    Args:
        url: SQLAlchemy URL.
        create: Run the migrations on first use.
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                          expire_on_commit=False)
        if create:
            migrate(self.engine)

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        Args:
            read_only: The caller only reads. On SQLite the transaction then does not take
                the write lock up front, so readers never wait for each other; a session
                that writes must not say so (it could fail if another process wrote first).
        """
        factory = self.read_sessions if read_only else self.sessions
        with factory() as session, session.begin():
            yield session

    @property
    def is_postgres(self) -> bool:
        """Whether this is the PostgreSQL path (SKIP LOCKED, advisory locks)."""
        return self.dialect == "postgresql"

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
