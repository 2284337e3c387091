"""Portal recipes: how to drive one customer procurement portal, written by IT in TOML.

A recipe names the portal's pages and CSS selectors step by step (login, the list of
new purchase orders and its next-page link, the PO page with either a download link or
the fields to read, the acknowledge button). Adding a portal is writing a recipe, not
Python; an odd portal may replace one step with a hook (``"package.module:callable"``).

Every selector belongs to a named *step* (``list.row``, ``detail.download``...): when a
portal changes and a selector no longer matches, the run fails naming that step.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hub.errors import ConfigError


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class LoginStep(_Part):
    """The login page."""

    url: str
    """Login page, absolute or relative to ``base_url``."""

    username_field: str
    """Selector of the user-name input."""

    password_field: str
    """Selector of the password input."""

    submit: str
    """Selector of the button that sends the form."""

    success: str
    """Selector present once logged in (a menu, the PO list)."""

    failure: str | None = None
    """Selector the portal shows when it refuses the credentials."""


class ListStep(_Part):
    """The list of new purchase orders."""

    url: str
    """First page of the list of new POs."""

    table: str
    """Selector of the list itself, present even when it has no rows."""

    row: str
    """Selector of one PO row."""

    po_id: str
    """Selector, inside a row, whose text is the portal's PO id."""

    link: str
    """Selector, inside a row, of the link to the PO page (its ``href``)."""

    next_page: str | None = None
    """Selector of the next-page link; absent on the last page."""

    max_pages: int = Field(default=100, gt=0)
    """Pages walked at most in one run (a bound, not a normal stop)."""


class LinesStep(_Part):
    """The order lines on a PO page read field by field."""

    row: str
    """Selector of one line row."""

    fields: dict[str, str]
    """Canonical line field (``quantity``, ``buyer_item_code``...) to selector in the row."""


class DetailStep(_Part):
    """The page of one PO."""

    ready: str
    """Selector present once the PO page has loaded."""

    download: str | None = None
    """Selector of the link to the PO document (PDF, CSV, XML); else fields are read."""

    fields: dict[str, str] = Field(default_factory=dict)
    """Canonical order field (dotted: ``buyer.name``, ``ship_to.address.city``) to selector."""

    lines: LinesStep | None = None
    """The lines table, when fields are read from the page."""

    date_format: str = "%Y-%m-%d"
    """``strptime`` format of dates as the page writes them."""

    decimal_comma: bool | None = None
    """Whether numbers use a decimal comma; guessed per number when unset."""

    @model_validator(mode="after")
    def _document_or_fields(self) -> DetailStep:
        if not self.download and not (self.fields and self.lines):
            raise ValueError("give either download, or fields and lines")
        return self


class AcknowledgeStep(_Part):
    """The button that tells the portal the supplier received the PO."""

    button: str
    """Selector of the acknowledge button on the PO page."""

    done: str
    """Selector present once the portal recorded the acknowledgement."""


class Hooks(_Part):
    """Python callables, ``"package.module:callable"``, that replace a step.

    ``login(session)``, ``list_orders(session) -> list[PortalOrder]`` and
    ``read_order(session, order) -> PortalDocument`` receive the robot's
    :class:`connectors.web.portal.PortalSession` (``.page``, ``.recipe``, ``.url()``).
    """

    login: str | None = None
    """Replaces the login step."""

    list_orders: str | None = None
    """Replaces the list step."""

    read_order: str | None = None
    """Replaces the PO page step."""


class PortalRecipe(_Part):
    """How to drive one customer portal."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
    """The portal's name: the documents' sender, and part of evidence file names."""

    base_url: str | None = None
    """Root of relative URLs; the transport settings may override it."""

    timeout_ms: int = Field(default=10_000, gt=0, le=120_000)
    """Longest wait for any one page or selector."""

    login: LoginStep
    list: ListStep
    detail: DetailStep
    acknowledge: AcknowledgeStep | None = None
    hooks: Hooks = Field(default_factory=Hooks)


def load_recipe(path: str | Path) -> PortalRecipe:
    """Read a portal recipe from a TOML file.

    Raises:
        ConfigError: naming the file and every wrong key.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"portal recipe {file}: cannot read it: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"portal recipe {file}: not valid TOML: {exc}") from None
    try:
        return PortalRecipe.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"portal recipe {file}: {problems}") from None


def load_hook(spec: str) -> Callable[..., Any]:
    """Import the callable named ``"package.module:callable"``.

    Raises:
        ConfigError: when the module or the callable cannot be found.
    """
    module_name, _, attr = spec.partition(":")
    try:
        hook = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(
            f"portal hook {spec!r} not found: use 'package.module:callable'"
        ) from None
    if not callable(hook):
        raise ConfigError(f"portal hook {spec!r} is not callable")
    return hook
