"""Settings: ``o2c.toml`` plus the environment.

The hub owns the core settings below; every connector, robot and job reads its own
section through :meth:`Settings.section` into a typed pydantic model whose fields carry
docstrings, so that a wrong value is reported with the field, the reason and the file.
Secrets never live in the file: a section names the environment variable or the
secrets file that holds them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.errors import ConfigError

DEFAULT_CONFIG = "o2c.toml"
DEFAULT_DATABASE_URL = "sqlite:///var/o2c.db"
DEFAULT_OUTBOX = "var/outbox"

SectionT = TypeVar("SectionT", bound=BaseModel)


class Section(BaseModel):
    """Base of every typed settings section: unknown keys are errors, not silence."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class CoreSettings(Section):
    """The hub's own settings (``[hub]`` in ``o2c.toml``)."""

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL; ``O2C_DATABASE_URL`` overrides it. SQLite for one machine,
    ``postgresql+psycopg://...`` for several."""

    outbox: str = DEFAULT_OUTBOX
    """Folder release exports are written to; ``O2C_OUTBOX`` overrides it."""

    max_document_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    """Documents larger than this are refused before parsing (default 50 MB)."""

    timezone: str = "Europe/Paris"
    """The company's time zone, for dates written without one and for schedules."""

    lease_seconds: int = Field(default=300, gt=0)
    """How long a worker may hold a claimed batch before it returns to the queue."""


class Settings:
    """Everything configured: the core section and the raw sections for the rooms.

    Args:
        data: The parsed TOML document.
        path: Where it came from, for error messages.
    """

    def __init__(self, data: dict[str, Any] | None = None, path: str = DEFAULT_CONFIG) -> None:
        self.data = data or {}
        self.path = path
        self.core = self.section("hub", CoreSettings)
        if url := os.environ.get("O2C_DATABASE_URL"):
            self.core.database_url = url
        if outbox := os.environ.get("O2C_OUTBOX"):
            self.core.outbox = outbox

    @classmethod
    def load(cls, path: str | None = None) -> Settings:
        """Read ``O2C_CONFIG`` (default ``o2c.toml``); a missing file means defaults.

        Raises:
            ConfigError: for a file that is not valid TOML, naming the line.
        """
        path = path or os.environ.get("O2C_CONFIG", DEFAULT_CONFIG)
        file = Path(path)
        if not file.exists():
            return cls({}, path)
        try:
            return cls(tomllib.loads(file.read_text(encoding="utf-8")), path)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None

    def section(self, name: str, model: type[SectionT]) -> SectionT:
        """The section ``name`` (dotted for nested tables) as a typed model.

        Raises:
            ConfigError: naming the file, the key and what is wrong with it.
        """
        raw: Any = self.data
        for part in name.split("."):
            raw = raw.get(part, {}) if isinstance(raw, dict) else {}
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"[{name}] {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"{self.path}: {problems}") from None

    def raw(self, name: str) -> dict[str, Any]:
        """The raw table ``name`` (empty when absent)."""
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}


def read_secret(env: str | None = None, file: str | None = None) -> str:
    """Read a secret from an environment variable or a secrets file.

    Raises:
        ConfigError: naming where the secret was looked for.
    """
    if env and (value := os.environ.get(env)):
        return value
    if file and Path(file).is_file():
        return Path(file).read_text(encoding="utf-8").strip()
    where = " or ".join(
        x
        for x in (f"environment variable {env}" if env else None, f"file {file}" if file else None)
        if x
    )
    raise ConfigError(f"secret not found: set {where or 'password_env or password_file'}")
