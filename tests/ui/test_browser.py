"""The workbench in a real browser: Playwright drives the system Chromium against the
app served by uvicorn on loopback.

One server and one data set serve the whole module; each scenario works on its own
orders and payments. Screenshots of every page are kept under ``test-artifacts/ui/``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from hub.db import Database
from hub.settings import Settings
from hub.tables import OpenItemRow, OrderRow
from tests.ui.seed import PASSWORD, Seeded, seed
from ui import security
from ui.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
VIEWPORT = {"width": 1366, "height": 768}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """The seeded app running under uvicorn in a thread."""

    def __init__(self, tmp: Path) -> None:
        self.db = Database(f"sqlite:///{tmp / 'o2c.db'}")
        self.data: Seeded = seed(self.db, tmp / "masterdata")
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        import uvicorn

        config = uvicorn.Config(create_app(Settings({}), self.db), host="127.0.0.1",
                                port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the workbench did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.db.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The workbench on loopback, with cheap password hashes and a private outbox."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    tmp = tmp_path_factory.mktemp("browser")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    saved = {k: os.environ.get(k) for k in ("O2C_SECRET_KEY", "O2C_OUTBOX")}
    os.environ.update(O2C_SECRET_KEY="browser-test-key", O2C_OUTBOX=str(tmp / "outbox"))
    hasher, security._hasher = security._hasher, PasswordHasher(
        time_cost=1, memory_cost=1024, parallelism=1)
    app = Served(tmp)
    app.start()
    yield app
    app.stop()
    security._hasher = hasher
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system Chromium, headless (never Playwright's own download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


class Person:
    """One user's browser tab, collecting console errors."""

    def __init__(self, browser: Any, served: Served, username: str | None) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.base = served.base
        if username:
            self.login(username)

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/login")
        self.page.get_by_label("User name").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, self.page.content()[:500]

    def go(self, path: str) -> Any:
        return self.page.goto(f"{self.base}{path}")

    def close(self) -> None:
        self.context.close()


def _status(served: Served, order_id: str) -> str | None:
    with served.db.session() as session:
        return session.scalar(select(OrderRow.status).where(OrderRow.id == order_id))


def test_adv_fixes_unknown_product_and_the_order_is_released(browser, served):
    adv = Person(browser, served, "adv1")
    adv.go("/adv/exceptions?channel=email")
    adv.page.keyboard.press("j")
    adv.page.keyboard.press("Enter")
    adv.page.wait_for_url(f"**/orders/{served.data.pdf_order}")
    assert adv.page.get_by_text("UNKNOWN_PRODUCT").first.is_visible()
    sku = adv.page.get_by_label("Product of line 1")
    sku.fill("widget")
    adv.page.wait_for_selector("#product-options option[value='SKU-100']", state="attached")
    sku.fill("SKU-100")
    adv.page.get_by_role("heading", level=1).click()  # leave the field: keys act on the page
    adv.page.keyboard.press("a")
    adv.page.wait_for_selector("text=after validation it is validated")
    assert _status(served, served.data.pdf_order) == "validated"
    it = Person(browser, served, "it1")
    for job in ("robot:group", "robot:release"):
        it.go("/it/jobs")
        it.page.locator("tr", has_text=job).get_by_role("button", name="Run now").click()
        it.page.wait_for_selector(f"text={job} ran")
    assert _status(served, served.data.pdf_order) == "released"
    adv.go(f"/orders/{served.data.pdf_order}")
    assert adv.page.locator("h1 .badge").inner_text() == "released"
    assert adv.errors == [] and it.errors == []
    adv.close()
    it.close()


def test_finance_splits_a_payment_and_a_second_person_approves(browser, served):
    first = Person(browser, served, "fin1")
    first.go("/finance/payments/TRX-BIG")
    first.page.get_by_label("Invoice 1", exact=True).fill("INV-1")
    first.page.get_by_label("Amount for invoice 1", exact=True).fill("9000.00")
    first.page.get_by_label("Invoice 2", exact=True).fill("INV-2")
    first.page.get_by_label("Amount for invoice 2", exact=True).fill("7000,00")
    first.page.get_by_role("button", name="Apply (or propose)").click()
    first.page.wait_for_selector("text=waits for a second person")
    first.go("/finance/approvals")
    assert first.page.get_by_text("your own proposal").is_visible()
    second = Person(browser, served, "fin2")
    second.go("/finance/approvals")
    second.page.get_by_role("button", name="Approve").click()
    second.page.wait_for_selector("text=approved and applied")
    with served.db.session() as session:
        left = [session.get(OpenItemRow, i).open_amount for i in ("INV-1", "INV-2")]
    assert left == [Decimal(0), Decimal(0)]
    assert first.errors == [] and second.errors == []
    first.close()
    second.close()


def test_sales_rep_cannot_see_another_reps_customer(browser, served):
    rep = Person(browser, served, "rep1")
    rep.go("/sales")
    assert rep.page.get_by_text("Acme Retail").first.is_visible()
    assert rep.page.get_by_text("Bistro Nord").count() == 0
    assert rep.go("/customers/C002").status == 404
    assert rep.go(f"/orders/{served.data.other_rep_order}").status == 404
    assert rep.go("/adv/exceptions").status == 403
    assert rep.go("/customers/C001").status == 200
    rep.errors.clear()  # the refused pages above log their 403/404 as console errors
    assert rep.go(f"/orders/{served.data.pdf_order}").status == 200
    rep.page.wait_for_load_state("networkidle")
    rep.page.screenshot(path=str(ARTIFACTS / "sales-order.png"), full_page=True)
    assert rep.errors == []
    rep.close()


def test_csrf_and_authentication_refused(browser, served):
    anonymous = Person(browser, served, None)
    anonymous.go("/finance/payments")
    assert anonymous.page.url.startswith(f"{served.base}/login?next=/finance/payments")
    posted = anonymous.page.request.post(f"{served.base}/orders/x/reject",
                                         form={"reason_code": "price"}, max_redirects=0)
    assert posted.status in (303, 403)
    adv = Person(browser, served, "adv1")
    refused = adv.page.request.post(
        f"{served.base}/orders/{served.data.edi_order}/reject", form={"reason_code": "price"})
    assert refused.status == 403
    assert _status(served, served.data.edi_order) == "exception"
    anonymous.close()
    adv.close()


def test_every_page_renders_without_console_errors(browser, served):
    boss = Person(browser, served, "boss")
    data = served.data
    pages = {
        "exceptions": "/adv/exceptions", "order-pdf": f"/orders/{data.other_rep_order}",
        "order-edi": f"/orders/{data.edi_order}", "failed-documents": "/adv/documents",
        "document": f"/documents/{data.pdf_document}", "disputes": "/disputes",
        "payments": "/finance/payments", "payment": "/finance/payments/TRX-S1",
        "approvals": "/finance/approvals", "credit": "/finance/credit",
        "exposure": "/finance/exposure", "dashboard": "/dashboard", "jobs": "/it/jobs",
        "runs": "/it/runs", "documents": "/it/documents", "sales": "/sales",
        "customer": "/customers/C001",
    }
    for name, path in pages.items():
        response = boss.go(path)
        assert response.status == 200, (path, response.status)
        boss.page.wait_for_load_state("networkidle")
        width = boss.page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORT["width"], f"{path} scrolls sideways at 1366 px ({width})"
        boss.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        assert boss.errors == [], (path, boss.errors)
    login = Person(browser, served, None)
    login.go("/login")
    login.page.screenshot(path=str(ARTIFACTS / "login.png"))
    assert login.errors == []
    boss.close()
    login.close()
