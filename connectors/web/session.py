"""One logged-in browser session on a customer portal, driven step by step by its recipe.

Every wait is bounded by the recipe's ``timeout_ms``. A selector that does not appear
raises :class:`hub.errors.ConfigError` naming the recipe step (the portal changed); a
page that cannot be reached or does not load in time raises
:class:`hub.errors.TransientError`. A page
that shows the login form instead of what was asked for means the session expired: the
session logs in again once and repeats the step.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from connectors.web.recipe import PortalRecipe
from hub.errors import ConfigError, TransientError

if TYPE_CHECKING:
    from playwright.sync_api import Page

CAPTURE_MEDIA_TYPE = "application/vnd.o2c.web-portal+json"
CAPTURE_MARKER = "o2c-web-portal-capture/1"

_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?["']?([^"';]+)""", re.IGNORECASE)

# Read every field of a PO page in one round trip: {name: text or null when absent}.
_READ_FIELDS_JS = """([root, fields]) => Object.fromEntries(Object.entries(fields).map(
  ([name, sel]) => { const el = root.querySelector(sel);
                     return [name, el ? el.innerText.trim() : null]; }))"""
_ROWS_JS = """(rows, fields) => rows.map(row => Object.fromEntries(Object.entries(fields).map(
  ([name, sel]) => { const el = row.querySelector(sel);
    if (!el) return [name, null];
    return [name, name === "__link" ? el.href : el.innerText.trim()]; })))"""


@dataclass(frozen=True)
class PortalOrder:
    """A PO as the portal's list shows it."""

    po_id: str
    url: str


@dataclass(frozen=True)
class PortalDocument:
    """The document read for one PO: a download, or the capture of its page."""

    content: bytes
    name: str
    media_type: str


@dataclass
class Credentials:
    """Login and password; the password is kept out of ``repr`` and every message."""

    username: str
    password: str = field(repr=False)

    def scrub(self, text: str) -> str:
        """``text`` with the password replaced by ``***``."""
        return text.replace(self.password, "***") if self.password else text


def public_url(url: str) -> str:
    """The URL without query or fragment (they may carry session tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class PortalSession:
    """A page on the portal plus the recipe that says how to drive it.

    Args:
        page: A Playwright page in its own browser context.
        recipe: The portal's recipe.
        base_url: Root of the recipe's relative URLs.
        credentials: The login.
        max_download_bytes: Downloads larger than this are refused.
    """

    def __init__(
        self,
        page: Page,
        recipe: PortalRecipe,
        base_url: str,
        credentials: Credentials,
        max_download_bytes: int,
    ) -> None:
        self.page = page
        self.recipe = recipe
        self.base_url = base_url.rstrip("/") + "/"
        self.credentials = credentials
        self.max_download_bytes = max_download_bytes
        self.step = "start"
        self.browser_seconds = 0.0
        page.set_default_timeout(recipe.timeout_ms)
        page.set_default_navigation_timeout(recipe.timeout_ms)

    def url(self, target: str) -> str:
        """``target`` made absolute against the portal's base URL."""
        return urljoin(self.base_url, target)

    @contextmanager
    def browser(self, step: str, *, fetching: bool = False) -> Iterator[None]:
        """Time a browser call, and name ``step`` in what it may raise.

        Args:
            step: The recipe step, for messages and evidence.
            fetching: The call loads a page or a file: a timeout then means a slow
                portal (transient), not a changed one.
        """
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.step = step
        started = time.perf_counter()
        try:
            yield
        except PlaywrightTimeout:
            if fetching:
                raise TransientError(
                    f"portal {self.recipe.name}: step {step}: no answer within "
                    f"{self.recipe.timeout_ms} ms"
                ) from None
            raise self.changed(step) from None
        except PlaywrightError as exc:
            first = self.credentials.scrub(str(exc.message).splitlines()[0])
            raise TransientError(f"portal {self.recipe.name}: step {step}: {first}") from None
        finally:
            self.browser_seconds += time.perf_counter() - started

    def present(self, selector: str, step: str) -> bool:
        """Whether ``selector`` is on the page now (no waiting)."""
        with self.browser(step):
            return self.page.locator(selector).count() > 0

    def changed(self, step: str, detail: str = "") -> ConfigError:
        """The error of a portal whose page no longer fits the recipe at ``step``."""
        where = public_url(self.page.url) if self.page.url.startswith("http") else self.page.url
        extra = f" ({detail})" if detail else ""
        return ConfigError(
            f"portal {self.recipe.name}: recipe step {step} failed on {where}{extra}: "
            "the page does not fit the recipe any more (the portal changed); fix the recipe"
        )

    # --- steps ---------------------------------------------------------------------

    def login(self) -> None:
        """Log in through the recipe's login form.

        Raises:
            ConfigError: when the portal refuses the credentials or the form changed.
        """
        step = self.recipe.login
        with self.browser("login.url", fetching=True):
            self.page.goto(self.url(step.url), wait_until="domcontentloaded")
        with self.browser("login.username_field"):
            self.page.fill(step.username_field, self.credentials.username)
        with self.browser("login.password_field"):
            self.page.fill(step.password_field, self.credentials.password)
        with self.browser("login.submit"):
            self.page.click(step.submit)
        outcome = f"{step.success}, {step.failure}" if step.failure else step.success
        with self.browser("login.success"):
            self.page.wait_for_selector(outcome, state="attached")
        if step.failure and self.present(step.failure, "login.failure"):
            raise ConfigError(
                f"portal {self.recipe.name}: the portal refused the login of user "
                f"{self.credentials.username!r}; check the password"
            )

    def open(self, url: str, ready: str, step: str) -> None:
        """Go to ``url`` and wait for ``ready``; log in again once if the session expired.

        The wait is for the recipe's selector, not for every image and tracker of the
        page to load: that is what the robot needs, and portals are often heavy.
        """
        login_field = self.recipe.login.username_field
        for attempt in range(2):
            with self.browser(f"{step}.url", fetching=True):
                self.page.goto(url, wait_until="domcontentloaded")
            with self.browser(step):
                self.page.wait_for_selector(f"{ready}, {login_field}", state="attached")
            if self.present(ready, step):
                return
            if attempt == 0:
                self.login()
        raise self.changed(step, "still on the login page after logging in again")

    def list_orders(self) -> list[PortalOrder]:
        """Every PO on every page of the list, in list order."""
        step = self.recipe.list
        orders: list[PortalOrder] = []
        url: str | None = self.url(step.url)
        for _ in range(step.max_pages):
            if url is None:
                break
            self.open(url, step.table, "list.table")
            orders.extend(self._rows())
            url = self._next_page()
        return list({o.po_id: o for o in orders}.values())

    def _rows(self) -> list[PortalOrder]:
        step = self.recipe.list
        with self.browser("list.row"):
            rows = self.page.eval_on_selector_all(
                step.row, _ROWS_JS, {"po_id": step.po_id, "__link": step.link}
            )
        orders = []
        for row in rows:
            if not row["po_id"]:
                raise self.changed("list.po_id")
            if not row["__link"]:
                raise self.changed("list.link")
            orders.append(PortalOrder(po_id=row["po_id"], url=row["__link"]))
        return orders

    def _next_page(self) -> str | None:
        selector = self.recipe.list.next_page
        if not selector:
            return None
        with self.browser("list.next_page"):
            link = self.page.query_selector(selector)
            href = link.get_attribute("href") if link else None
        return urljoin(self.page.url, href) if href else None

    def read_order(self, order: PortalOrder) -> PortalDocument:
        """The PO's document: its download, or a capture of its page's fields."""
        detail = self.recipe.detail
        self.open(order.url, detail.ready, "detail.ready")
        if detail.download:
            return self._download(order, detail.download)
        return self._capture(order)

    def _download(self, order: PortalOrder, selector: str) -> PortalDocument:
        with self.browser("detail.download"):
            link = self.page.wait_for_selector(selector, state="attached")
            href = link.get_attribute("href") if link else None
        if not href:
            raise self.changed("detail.download", "the download link has no href")
        target = urljoin(self.page.url, href)
        for attempt in range(2):
            with self.browser("detail.download", fetching=True):
                response = self.page.context.request.get(
                    target, timeout=self.recipe.timeout_ms, max_redirects=5
                )
                headers = response.headers
                self._check_size(order, headers.get("content-length", ""))
                body = response.body() if response.ok else b""
            if not response.ok:
                raise TransientError(
                    f"portal {self.recipe.name}: PO {order.po_id}: download answered "
                    f"HTTP {response.status}"
                )
            if not _is_login_page(response.url, self.url(self.recipe.login.url)):
                return self._document(order, target, body, headers)
            if attempt == 0:
                self.login()
        raise self.changed("detail.download", "the download asks for a login again")

    def _check_size(self, order: PortalOrder, size: str) -> None:
        if size.isdigit() and int(size) > self.max_download_bytes:
            raise ConfigError(
                f"portal {self.recipe.name}: PO {order.po_id}: document of {size} bytes is "
                f"over the {self.max_download_bytes}-byte cap; raise max_download_bytes "
                "if it is a genuine order"
            )

    def _document(
        self, order: PortalOrder, url: str, body: bytes, headers: dict[str, str]
    ) -> PortalDocument:
        self._check_size(order, str(len(body)))
        name = _file_name(headers.get("content-disposition", ""), url, order.po_id)
        media = headers.get("content-type", "").split(";")[0].strip()
        if not media or media == "application/octet-stream":
            media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return PortalDocument(content=body, name=name, media_type=media)

    def _capture(self, order: PortalOrder) -> PortalDocument:
        detail = self.recipe.detail
        assert detail.lines is not None  # the recipe model guarantees it without download
        with self.browser("detail.fields"):
            root = self.page.query_selector(detail.ready)
            fields = self.page.evaluate(_READ_FIELDS_JS, [root, detail.fields])
        if missing := [name for name, text in fields.items() if text is None]:
            raise self.changed(f"detail.fields.{missing[0]}")
        with self.browser("detail.lines.row"):
            lines = self.page.eval_on_selector_all(detail.lines.row, _ROWS_JS, detail.lines.fields)
        if not lines:
            raise self.changed("detail.lines.row", "no line rows")
        for line in lines:
            if missing := [name for name, text in line.items() if text is None]:
                raise self.changed(f"detail.lines.fields.{missing[0]}")
        capture = _capture_document(self.recipe, order, fields, lines)
        return PortalDocument(
            content=capture, name=f"{order.po_id}.json", media_type=CAPTURE_MEDIA_TYPE
        )

    def acknowledge(self, order: PortalOrder) -> None:
        """Press the PO's acknowledge button, unless the portal already shows it done."""
        step = self.recipe.acknowledge
        if step is None:
            return
        here = self.page.url == order.url and self.present(self.recipe.detail.ready, "detail.ready")
        if not here:  # settle usually comes right after the PO page was read
            self.open(order.url, self.recipe.detail.ready, "detail.ready")
        with self.browser("acknowledge.button"):
            self.page.wait_for_selector(f"{step.button}, {step.done}", state="attached")
        if self.present(step.done, "acknowledge.done"):
            return
        with self.browser("acknowledge.button"):
            self.page.click(step.button)
        with self.browser("acknowledge.done"):
            self.page.wait_for_selector(step.done, state="attached")


def _capture_document(
    recipe: PortalRecipe, order: PortalOrder, fields: dict[str, Any], lines: list[Any]
) -> bytes:
    capture = {
        "capture": CAPTURE_MARKER,
        "portal": recipe.name,
        "po_id": order.po_id,
        "url": public_url(order.url),
        "date_format": recipe.detail.date_format,
        "decimal_comma": recipe.detail.decimal_comma,
        "fields": fields,
        "lines": lines,
    }
    # Sorted and compact, so the same page gives the same bytes (and the same sha256).
    return json.dumps(capture, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _is_login_page(url: str, login_url: str) -> bool:
    return urlsplit(url).path.rstrip("/") == urlsplit(login_url).path.rstrip("/")


def _file_name(disposition: str, url: str, po_id: str) -> str:
    match = _FILENAME.search(disposition)
    name = match.group(1) if match else urlsplit(url).path.rsplit("/", 1)[-1]
    # Display only, never a path: keep the last segment and plain characters.
    name = re.sub(r"[^\w.-]", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")
    return name or f"{po_id}.bin"
