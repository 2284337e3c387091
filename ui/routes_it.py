"""IT pages: jobs and their runs, re-run, pause and resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from hub import runs
from hub.tables import RunRow
from ui import it
from ui.web import (
    User,
    csrf_protect,
    database,
    notify,
    redirect,
    render,
    role,
    settings,
    transaction,
)

router = APIRouter(dependencies=[Depends(csrf_protect)])
IT = role("it")


@router.get("/it/jobs")
def jobs_page(request: Request, _user: Annotated[User, Depends(IT)]) -> HTMLResponse:
    """Every job with its last run, last failure, alert and controls."""
    with transaction(request) as session:
        views = it.overview(session, settings(request))
    return render(request, "jobs.html", jobs=views)


@router.get("/it/runs")
def runs_page(request: Request, _user: Annotated[User, Depends(IT)], job: str = ""
              ) -> HTMLResponse:
    """The latest runs (of one job), with counts, errors and evidence."""
    with transaction(request) as session:
        rows = runs.recent(session, job=job or None, limit=100)
    return render(request, "runs.html", rows=rows, job=job, dumps=_pretty)


@router.get("/it/runs/{run_id}")
def run_page(request: Request, run_id: int, _user: Annotated[User, Depends(IT)]
             ) -> HTMLResponse:
    """One run in full: counts, error and evidence."""
    with transaction(request) as session:
        row = session.get(RunRow, run_id)
        if row is None:
            raise HTTPException(404, "no such run")
    return render(request, "runs.html", rows=[row], job=row.job, dumps=_pretty, single=True)


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str) if value else ""


@router.post("/it/jobs/action")
def job_action(request: Request, user: Annotated[User, Depends(IT)],
               job: Annotated[str, Form()], action: Annotated[str, Form()],
               reason: Annotated[str, Form()] = "") -> Response:
    """Re-run, pause or resume one job."""
    name = job.strip()[:80]
    db = database(request)
    if action == "run":
        try:
            message = it.rerun(db, settings(request), name, user.username)
        except Exception as exc:  # the run is recorded as failed; the person sees why
            message = f"{name} failed: {type(exc).__name__}: {exc}"
    elif action == "pause":
        it.pause(db, name, user.username, reason[:300])
        message = f"{name} paused"
    elif action == "resume":
        it.resume(db, name, user.username)
        message = f"{name} resumed"
    else:
        raise HTTPException(400, "unknown action")
    notify(request, message, error=" failed: " in message)
    return redirect("/it/jobs")


EVIDENCE_ROOT = Path("var/evidence")
_EVIDENCE_TYPES = {".png": "image/png", ".html": "text/plain; charset=utf-8",
                   ".txt": "text/plain; charset=utf-8"}


@router.get("/it/runs/{run_id}/evidence/{key}")
def run_evidence(request: Request, run_id: int, key: str, _user: Annotated[User, Depends(IT)]
                 ) -> Response:
    """A file a failed run kept (screenshot, page HTML), only from the evidence folder."""
    with transaction(request) as session:
        row = session.get(RunRow, run_id)
        value = (row.evidence or {}).get(key) if row else None
    if not isinstance(value, str):
        raise HTTPException(404, "no such evidence")
    root = EVIDENCE_ROOT.resolve()
    path = Path(value).resolve()
    kind = _EVIDENCE_TYPES.get(path.suffix.lower())
    if kind is None or not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404, "evidence file not available")
    # Page HTML is shown as text, never rendered: it came from an outside site.
    return FileResponse(path, media_type=kind, headers={"X-Content-Type-Options": "nosniff"})
