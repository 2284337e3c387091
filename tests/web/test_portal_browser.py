"""The portal robot driving the system Chromium against the test portal on loopback."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pdfplumber
import pytest
from sqlalchemy import select

from connectors.base import Registry
from connectors.intake import OrderHandler
from connectors.web.capture import WebPortalExtractor
from connectors.web.portal import PortalTransport
from hub.db import Database
from hub.errors import ConfigError, TransientError
from hub.intake import ingest
from hub.orders import canonical
from hub.tables import OrderRow
from tests.web.portal_app import PASSWORD, USER, PortalState, make_orders, serve

pytestmark = pytest.mark.browser
RECIPES = Path(__file__).parent / "recipes"
CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    pytest.skip("the system Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)


@pytest.fixture
def state() -> PortalState:
    return PortalState(orders=make_orders(7, bad={5}), page_size=3)


@pytest.fixture
def portal(state: PortalState) -> Iterator[str]:
    with serve(state) as url:
        yield url


@pytest.fixture
def settings(portal: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("TEST_PORTAL_PASSWORD", PASSWORD)
    return {
        "recipe": str(RECIPES / "download.toml"),
        "base_url": portal,
        "username": USER,
        "password_env": "TEST_PORTAL_PASSWORD",
        "state_dir": str(tmp_path / "state"),
        "evidence_dir": str(tmp_path / "evidence"),
        "timeout_ms": 2000,
    }


def robot(settings: dict[str, Any], **changes: Any) -> PortalTransport:
    transport = PortalTransport.from_settings({**settings, **changes})
    assert isinstance(transport, PortalTransport)
    return transport


def test_takes_every_po_across_pages_acknowledges_after_settle_and_never_twice(
    settings: dict[str, Any], state: PortalState
) -> None:
    transport = robot(settings)
    documents = []
    for raw in transport.fetch():
        assert raw.document_ref not in state.acknowledged  # not before settle
        documents.append(raw)
        transport.settle(raw, ok=True)
        assert raw.document_ref in state.acknowledged
    assert [d.document_ref for d in documents] == sorted(state.orders)  # 7 POs on 3 pages
    first_pdf, first_csv = documents[0], documents[1]
    assert (first_pdf.channel, first_pdf.sender) == ("web", "test-portal")
    assert first_pdf.media_type == "application/pdf"
    with pdfplumber.open(io.BytesIO(first_pdf.content)) as pdf:
        assert "Bon de commande N° PO-00001" in pdf.pages[0].extract_text()
    assert first_csv.name == "PO-00002.csv"
    assert first_csv.content.decode().splitlines()[1].startswith("PO-00002;")
    assert transport.evidence == {}
    assert transport.stats["orders"] == 7
    assert 0 < transport.stats["browser_seconds"] <= transport.stats["seconds"]

    state.acknowledged.clear()  # the portal lists them all as new again
    assert list(robot(settings).fetch()) == []  # stored and acknowledged before: left alone
    assert state.acknowledged == set()


def test_bad_document_is_stored_but_not_acknowledged_and_late_settle_acks_next_run(
    settings: dict[str, Any], state: PortalState
) -> None:
    state.orders = make_orders(3)
    transport = robot(settings)
    taken = list(transport.fetch())  # settled only after the browser closed
    assert state.acknowledged == set()
    for raw in taken:
        transport.settle(raw, ok=raw.document_ref != "PO-00002", reason="bad quantity")
    assert state.acknowledged == set()
    assert list(robot(settings).fetch()) == []  # nothing taken twice; pending acks done
    assert state.acknowledged == {"PO-00001", "PO-00003"}


def test_expired_session_means_a_new_login(settings: dict[str, Any], state: PortalState) -> None:
    state.expire_at_download = {"PO-00007"}  # between its page and its document
    transport = robot(settings, acknowledge=False)
    taken = []
    for raw in transport.fetch():
        taken.append(raw.document_ref)
        transport.settle(raw, ok=True)
        if len(taken) in (2, 5):
            state.expire_sessions()
    assert taken == sorted(state.orders)
    assert state.logins == 4


def test_page_capture_flows_through_intake_into_the_queue(
    settings: dict[str, Any], state: PortalState, tmp_path: Path, order_schema: dict[str, object]
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'o2c.db'}")
    handlers = [OrderHandler(Registry([WebPortalExtractor]))]
    transport = robot(settings, recipe=str(RECIPES / "page.toml"), max_orders=5)
    reports = []
    for raw in transport.fetch():
        report = ingest(db, raw, handlers=handlers)
        transport.settle(raw, ok=report.ok, reason=report.error)
        reports.append(report)
    assert [r.status for r in reports] == ["extracted"] * 4 + ["failed"]
    assert reports[4].error == "lines[0].quantity: cannot read 'douze'"
    assert state.acknowledged == {"PO-00001", "PO-00002", "PO-00003", "PO-00004"}
    with db.session() as session:
        rows = session.scalars(select(OrderRow).order_by(OrderRow.buyer_order_number)).all()
        assert [(r.buyer_order_number, r.channel, r.format, r.sender) for r in rows] == [
            (f"PO-0000{n}", "web", "web-portal", "test-portal-page") for n in range(1, 5)
        ]
        orders = [canonical(session, row) for row in rows]
    for order in orders:
        jsonschema.validate(order.to_json_dict(), order_schema)
    po = state.orders["PO-00002"]
    assert orders[1].lines[0].unit_price == po.lines[0].price
    assert orders[1].total_amount == po.total
    db.dispose()


def test_changed_portal_fails_naming_the_step_with_evidence(
    settings: dict[str, Any], state: PortalState
) -> None:
    state.layout = "v2"
    transport = robot(settings)
    with pytest.raises(
        ConfigError, match=r"recipe step list\.table failed on http://127\.0\.0\.1:\d+/orders"
    ):
        list(transport.fetch())
    evidence = transport.evidence
    assert evidence["step"] == "list.table"
    screenshot, page = Path(evidence["screenshot"]), Path(evidence["html"])
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert 'id="order-cards"' in page.read_text()
    for text in (screenshot.name, page.name, page.read_text(), evidence["error"]):
        assert PASSWORD not in text
    assert state.acknowledged == set()


def test_hook_covers_the_odd_portal(
    settings: dict[str, Any], state: PortalState, tmp_path: Path
) -> None:
    state.layout = "v2"
    recipe = (
        RECIPES / "download.toml"
    ).read_text() + '\n[hooks]\nlist_orders = "tests.web.hooks:list_order_cards"\n'
    (tmp_path / "cards.toml").write_text(recipe)
    transport = robot(settings, recipe=str(tmp_path / "cards.toml"), max_orders=2)
    assert [raw.document_ref for raw in transport.fetch()] == ["PO-00001", "PO-00002"]


def test_refused_login_is_a_config_error_without_the_password(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PORTAL_PASSWORD", "wrong-Secret-42")
    transport = robot(settings)
    with pytest.raises(ConfigError, match="refused the login of user 'supplier-7'") as caught:
        list(transport.fetch())
    assert "wrong-Secret-42" not in str(caught.value)
    assert "wrong-Secret-42" not in Path(transport.evidence["html"]).read_text()


def test_failure_mid_run_keeps_what_was_stored_and_takes_nothing_half(
    settings: dict[str, Any], state: PortalState
) -> None:
    transport = robot(settings)
    taken: list[str | None] = []

    def take_all() -> None:
        for raw in transport.fetch():
            taken.append(raw.document_ref)
            transport.settle(raw, ok=True)
            state.orders.pop("PO-00003", None)  # its page disappears while the run goes on

    with pytest.raises(
        ConfigError, match=r"recipe step detail\.ready failed on .*/orders/PO-00003"
    ):
        take_all()
    assert taken == ["PO-00001", "PO-00002"]
    assert state.acknowledged == {"PO-00001", "PO-00002"}
    assert transport.evidence["step"] == "detail.ready"
    assert transport.seen.states == {"PO-00001": "acknowledged", "PO-00002": "acknowledged"}


def test_unreachable_portal_is_transient(settings: dict[str, Any]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    transport = robot(settings, base_url=closed)
    with pytest.raises(TransientError, match=r"step login\.url: .*ERR_CONNECTION_REFUSED"):
        list(transport.fetch())
    assert transport.evidence["step"] == "login.url"


def test_slow_portal_is_transient_not_a_changed_one(
    settings: dict[str, Any], state: PortalState
) -> None:
    state.slow = {"PO-00002"}
    transport = robot(settings, timeout_ms=1000, acknowledge=False)
    with pytest.raises(TransientError, match=r"step detail\.ready\.url: no answer within 1000 ms"):
        list(transport.fetch())
    assert transport.evidence["step"] == "detail.ready.url"


def test_oversized_document_is_refused(settings: dict[str, Any], state: PortalState) -> None:
    transport = robot(settings, max_download_bytes=500)
    with pytest.raises(
        ConfigError, match=r"PO PO-00001: document of \d+ bytes is over the 500-byte cap"
    ):
        list(transport.fetch())
    assert state.acknowledged == set()
