"""IT controls: re-run a robot here, ask the scheduler for a connector, pause, resume;
the web order API is served by the same app."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.schema_ui import RunRequestRow
from hub.settings import Settings
from hub.tables import AuditEventRow, JobStateRow, RunRow
from tests.ui.conftest import csrf_of
from ui.app import create_app


def _act(client, **form):
    token = csrf_of(client.get("/it/jobs").text)
    return client.post("/it/jobs/action", data={"csrf_token": token, **form})


def test_rerun_robot_is_recorded_as_a_run(client_for, db):
    client = client_for("it1")
    assert "robot:validate ran" in _act(client, job="robot:validate", action="run").text
    with db.session() as session:
        run = session.scalars(select(RunRow).where(RunRow.job == "robot:validate")).one()
    assert run.status == "ok" and run.evidence == {"requested_by": "it1"}


def test_connector_rerun_is_a_request_for_the_scheduler(db, seeded, monkeypatch):
    settings = Settings({"connectors": {"inbox": {"transport": "imap"}}})
    client = TestClient(create_app(settings, db))
    from tests.ui.conftest import login

    login(client, "it1")
    assert "connector:inbox" in client.get("/it/jobs").text
    response = _act(client, job="connector:inbox", action="run")
    assert "run requested" in response.text
    with db.session() as session:
        request = session.scalars(select(RunRequestRow)).one()
    assert (request.job, request.requested_by, request.picked_at) == (
        "connector:inbox", "it1", None)


def test_pause_and_resume_are_audited(client_for, db):
    client = client_for("it1")
    _act(client, job="robot:match", action="pause", reason="bank file late")
    with db.session() as session:
        assert session.get(JobStateRow, "robot:match").paused
    assert "paused" in client.get("/it/jobs").text
    _act(client, job="robot:match", action="resume")
    with db.session() as session:
        assert not session.get(JobStateRow, "robot:match").paused
        actions = list(session.scalars(select(AuditEventRow.action).where(
            AuditEventRow.entity_type == "job")))
    assert actions == ["paused", "resumed"]


def test_run_evidence_served_only_from_the_evidence_folder(client_for, db):
    with db.session() as session:
        from hub import clock

        session.add(RunRow(job="connector:portal", started_at=clock.now(), status="failed",
                           counts={}, evidence={"screenshot": "/etc/passwd.png",
                                                "step": "login"}))
    client = client_for("it1")
    assert client.get("/it/runs/1/evidence/screenshot").status_code == 404
    assert client.get("/it/runs/1/evidence/step").status_code == 404
    assert "login" in client.get("/it/runs/1").text


def test_web_order_api_is_mounted(app):
    client = TestClient(app)
    response = client.post("/api/v1/orders", json={})
    assert response.status_code == 401


def test_scheduler_takes_each_run_request_once(db, seeded):
    from ui import it

    for job in ("connector:inbox", "connector:inbox", "connector:edi"):
        it._request(db, job, "it1")
    assert it.take_run_requests(db, "scheduler-a") == ["connector:inbox", "connector:edi"]
    assert it.take_run_requests(db, "scheduler-b") == []
    with db.session() as session:
        assert {r.picked_by for r in session.scalars(select(RunRequestRow))} == {"scheduler-a"}
