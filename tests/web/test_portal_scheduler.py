"""The portal robot as the scheduler runs it: a ``[connectors.NAME]`` job into the queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.db import Database
from hub.settings import Settings
from hub.tables import DocumentRow, OrderRow
from tests.web.portal_app import PASSWORD, USER, PortalState, make_orders, serve

pytestmark = pytest.mark.browser
RECIPES = Path(__file__).parent / "recipes"

if not Path("/usr/bin/chromium").exists():
    pytest.skip("the system Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)


def test_scheduled_portal_job_fills_the_queue_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler import connector_jobs

    monkeypatch.setenv("DEMO_PORTAL_PASSWORD", PASSWORD)
    state = PortalState(orders=make_orders(4, bad={3}))
    db = Database(f"sqlite:///{tmp_path / 'o2c.db'}")
    with serve(state) as url:
        settings = Settings(
            {
                "connectors": {
                    "customer-portal": {
                        "transport": "web-portal",
                        "every_seconds": 300,
                        "recipe": str(RECIPES / "page.toml"),
                        "base_url": url,
                        "username": USER,
                        "password_env": "DEMO_PORTAL_PASSWORD",
                        "state_dir": str(tmp_path / "state"),
                        "evidence_dir": str(tmp_path / "evidence"),
                        "timeout_ms": 5000,
                    }
                }
            }
        )
        [job] = connector_jobs(db, settings)
        assert job.name == "connector:customer-portal"
        assert job.needs_leader
        first = job.work()
        second = job.work()
    assert first == {"documents": 4, "orders": 3, "quarantined": 1}
    assert second == {"documents": 0, "orders": 0, "quarantined": 0}
    assert state.acknowledged == {"PO-00001", "PO-00002", "PO-00004"}
    with db.session() as session:
        numbers = session.scalars(select(OrderRow.buyer_order_number).order_by(OrderRow.id)).all()
        failed = session.scalars(select(DocumentRow).where(DocumentRow.status == "failed")).one()
    assert sorted(numbers) == ["PO-00001", "PO-00002", "PO-00004"]
    assert (failed.source_ref, failed.channel, failed.sender) == (
        "PO-00003",
        "web",
        "test-portal-page",
    )
    assert failed.error == "lines[0].quantity: cannot read 'douze'"
    db.dispose()
