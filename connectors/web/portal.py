"""The portal robot: a transport that collects purchase orders from customer portals.

It drives the system's Chromium through Playwright: logs in, walks the list of new POs
(all pages, before taking any, so that acknowledging does not shift the pages under
it), opens each PO not seen before and yields its document (the download, or a capture
of the page that :mod:`connectors.web.capture` reads). Once the hub has stored a
document, :meth:`PortalTransport.settle` records the PO as seen and, when the recipe
has an acknowledge step and the document was good, acknowledges it on the portal.

A failed run raises (``ConfigError`` when the portal changed, ``TransientError`` when
it could not be reached) after keeping a screenshot and the page HTML in the evidence
folder; :attr:`PortalTransport.evidence` names them for the run record.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from connectors.base import RawDocument, Transport, TransportConfig
from connectors.web.recipe import PortalRecipe, load_hook, load_recipe
from connectors.web.session import (
    Credentials,
    PortalDocument,
    PortalOrder,
    PortalSession,
    public_url,
)
from connectors.web.state import SeenOrders
from hub.errors import ConfigError, O2CError
from hub.settings import read_secret

log = logging.getLogger(__name__)

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


class PortalConfig(TransportConfig):
    """One customer portal (a ``[[connectors.web-portal]]`` section of ``o2c.toml``)."""

    recipe: str
    """Path of the portal's recipe (TOML)."""

    base_url: str | None = None
    """Root URL of the portal; overrides the recipe's ``base_url``."""

    username: str | None = None
    """Login name; or give ``username_env``."""

    username_env: str | None = None
    """Environment variable holding the login name."""

    password_env: str | None = None
    """Environment variable holding the password."""

    password_file: str | None = None
    """File holding the password (first line), when no environment variable is set."""

    acknowledge: bool = True
    """Acknowledge each stored PO on the portal, when the recipe has that step."""

    state_dir: str = "var/web"
    """Folder of the per-portal file of POs already stored and acknowledged."""

    evidence_dir: str = "var/evidence/web"
    """Folder where a failed run keeps its screenshot and page HTML."""

    chromium: str = "/usr/bin/chromium"
    """The Chromium executable (the system's; Playwright's own browsers are not used)."""

    timeout_ms: int | None = Field(default=None, gt=0, le=120_000)
    """Longest wait for any one page or selector; overrides the recipe's ``timeout_ms``."""

    max_orders: int = Field(default=500, gt=0)
    """POs taken at most in one run; the rest wait for the next run."""

    max_download_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    """PO documents larger than this are refused."""


class PortalTransport(Transport):
    """Collects PO documents from one customer portal (see the module docstring).

    Attributes:
        evidence: After a failed run: ``step``, ``error``, ``url``, ``screenshot`` and
            ``html`` (file paths) for the run record; empty after a good run.
        stats: Figures of the last run: ``orders``, ``browser_seconds``, ``seconds``.
    """

    name: ClassVar[str] = "web-portal"
    config_model: ClassVar[type[TransportConfig]] = PortalConfig
    config: PortalConfig

    def __init__(self, config: TransportConfig) -> None:
        super().__init__(config)
        self.recipe: PortalRecipe = load_recipe(self.config.recipe)
        if self.config.timeout_ms:
            self.recipe = self.recipe.model_copy(update={"timeout_ms": self.config.timeout_ms})
        base_url = self.config.base_url or self.recipe.base_url
        if not base_url:
            raise ConfigError(f"portal {self.recipe.name}: set base_url in the recipe or settings")
        self.base_url = base_url
        self.seen = SeenOrders(Path(self.config.state_dir) / f"{self.recipe.name}.seen.json")
        self.evidence: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}
        self._session: PortalSession | None = None
        self._orders: dict[str, PortalOrder] = {}

    def credentials(self) -> Credentials:
        """The login, from the environment or the secrets file.

        Raises:
            ConfigError: naming where they were looked for (never their value).
        """
        username = self.config.username
        if self.config.username_env:
            username = os.environ.get(self.config.username_env) or username
        if not username:
            raise ConfigError(f"portal {self.recipe.name}: set username or username_env")
        password = read_secret(self.config.password_env, self.config.password_file)
        return Credentials(username=username, password=password)

    def fetch(self) -> Iterator[RawDocument]:
        """Yield the document of every PO on the portal not stored before.

        Raises:
            ConfigError: a recipe step no longer fits the portal, or a bad login.
            TransientError: the portal could not be reached.
        """
        from playwright.sync_api import sync_playwright

        self.evidence, started = {}, time.perf_counter()
        self.stats = {"orders": 0, "browser_seconds": 0.0, "seconds": 0.0}
        credentials = self.credentials()
        playwright = sync_playwright().start()
        session: PortalSession | None = None
        try:
            browser = self._launch(playwright)
            page = browser.new_context(accept_downloads=True).new_page()
            session = PortalSession(
                page, self.recipe, self.base_url, credentials, self.config.max_download_bytes
            )
            session.browser_seconds = time.perf_counter() - started  # start-up is browser time
            self._session = session
            try:
                yield from self._run(session)
            except O2CError as exc:
                self._keep_evidence(session, exc)
                raise
            finally:
                self._session = None
                closing = time.perf_counter()
                browser.close()
                session.browser_seconds += time.perf_counter() - closing
        finally:
            stopping = time.perf_counter()
            playwright.stop()
            ended = time.perf_counter()
            spent = (session.browser_seconds if session else 0.0) + ended - stopping
            self.stats["browser_seconds"] = round(spent, 3)
            self.stats["seconds"] = round(ended - started, 3)

    def _launch(self, playwright: Any) -> Any:
        from playwright.sync_api import Error as PlaywrightError

        try:
            return playwright.chromium.launch(
                executable_path=self.config.chromium, headless=True, args=list(CHROMIUM_ARGS)
            )
        except PlaywrightError as exc:
            first = str(exc.message).splitlines()[0]
            raise ConfigError(
                f"Chromium at {self.config.chromium} does not start: {first}"
            ) from None

    def _run(self, session: PortalSession) -> Iterator[RawDocument]:
        self._hook("login", session.login)(session)
        orders = self._hook("list_orders", session.list_orders)(session)
        self._orders = {o.po_id: o for o in orders}
        for order in self._unacknowledged(orders):
            self._acknowledge(session, order)
        todo = [o for o in orders if not self.seen.stored(o.po_id)][: self.config.max_orders]
        log.info("portal %s: %d POs listed, %d new", self.recipe.name, len(orders), len(todo))
        for order in todo:
            document = self._hook("read_order", session.read_order)(session, order)
            self.stats["orders"] += 1
            yield self._raw(order, document)

    def _hook(self, step: str, default: Callable[..., Any]) -> Callable[..., Any]:
        spec = getattr(self.recipe.hooks, step)
        if not spec:
            return lambda _session, *args: default(*args)
        return load_hook(spec)

    def _unacknowledged(self, orders: list[PortalOrder]) -> list[PortalOrder]:
        """POs stored on an earlier run whose acknowledgement did not happen yet."""
        if not self._acknowledges():
            return []
        return [o for o in orders if self.seen.states.get(o.po_id) == "stored"]

    def _acknowledges(self) -> bool:
        return self.config.acknowledge and self.recipe.acknowledge is not None

    def _raw(self, order: PortalOrder, document: PortalDocument) -> RawDocument:
        return RawDocument(
            content=document.content,
            name=document.name,
            channel="web",
            sender=self.recipe.name,
            received_at=datetime.now(UTC),
            document_ref=order.po_id,
            media_type=document.media_type,
            metadata={
                "portal": self.recipe.name,
                "po_id": order.po_id,
                "url": public_url(order.url),
            },
        )

    def settle(self, raw: RawDocument, *, ok: bool, reason: str | None = None) -> None:
        """Record the PO as stored; acknowledge it on the portal when the document was good.

        A quarantined document (``ok=False``) is stored too, so it is not taken again,
        but the portal is not told it was received well. An acknowledgement that cannot
        happen now (the run is over) happens at the start of the next run.
        """
        po_id = raw.document_ref
        if not po_id:
            return
        if not ok:
            log.warning("portal %s: PO %s quarantined: %s", self.recipe.name, po_id, reason)
            self.seen.mark(po_id, "quarantined")
            return
        self.seen.mark(po_id, "stored")
        order = self._orders.get(po_id)
        if self._session is not None and order is not None and self._acknowledges():
            self._acknowledge(self._session, order)

    def _acknowledge(self, session: PortalSession, order: PortalOrder) -> None:
        session.acknowledge(order)
        self.seen.mark(order.po_id, "acknowledged")

    def _keep_evidence(self, session: PortalSession, error: Exception) -> None:
        """Save a screenshot and the page HTML; never let this hide the run's error."""
        folder = Path(self.config.evidence_dir)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        step = re.sub(r"[^a-z0-9._-]", "_", session.step.lower())
        stem = folder / f"{self.recipe.name}-{stamp}-{step}"
        self.evidence = {
            "step": session.step,
            "error": session.credentials.scrub(str(error)),
            "url": public_url(session.page.url) if session.page.url.startswith("http") else "",
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
            session.page.screenshot(path=f"{stem}.png", full_page=True, timeout=5000)
            self.evidence["screenshot"] = f"{stem}.png"
            html = session.credentials.scrub(session.page.content())
            Path(f"{stem}.html").write_text(html, encoding="utf-8")
            self.evidence["html"] = f"{stem}.html"
        except Exception as exc:  # evidence is best effort; the run's own error matters
            problem = session.credentials.scrub(f"{type(exc).__name__}: {exc}")
            log.warning("portal %s: evidence not kept: %s", self.recipe.name, problem)
