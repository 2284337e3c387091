"""The dashboard: how much flows through untouched, where people spend their time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ui import charts, metrics
from ui.formats import money
from ui.web import User, csrf_protect, render, role, transaction

router = APIRouter(dependencies=[Depends(csrf_protect)])


@router.get("/dashboard")
def dashboard(request: Request, _user: Annotated[User, Depends(role("adv", "finance", "it"))]
              ) -> HTMLResponse:
    """Every figure as a chart, computed on each visit."""
    with transaction(request) as session:
        flow = metrics.touchless(session)
        by = metrics.exceptions_by(session)
        delays = metrics.step_delays(session)
        cash = metrics.cash(session)
        holds = metrics.credit_holds(session)
        labels, series = metrics.trends(session)
    rate = flow["touchless"] * 100 / flow["decided"] if flow["decided"] else 0.0
    applied = cash["auto"] + cash["manual"] + cash["waiting"]
    auto_rate = cash["auto"] * 100 / applied if applied else 0.0
    figures = {
        "touchless": charts.donut([("touchless", flow["touchless"]),
                                   ("touched by ADV", flow["touched"])],
                                  "Touchless order rate", f"{rate:.0f}%"),
        "reasons": charts.bars(by["reason"], "Open exceptions by reason"),
        "channels": charts.bars(by["channel"], "Orders waiting for ADV by channel"),
        "delays": charts.bars([(s, round(v, 1)) for s, v in delays],
                              "Mean delay to reach each step", " min"),
        "cash": charts.donut([("automatic", cash["auto"]), ("confirmed by finance",
                              cash["manual"]), ("waiting", cash["waiting"])],
                             "Automatic cash-application rate", f"{auto_rate:.0f}%"),
        "unapplied": charts.bars([(c, float(v)) for c, v in cash["unapplied"]],
                                 "Unapplied cash by currency"),
        "holds": charts.bars([(c or "?", float(v)) for c, v in holds["value"]],
                             "Value on credit hold by currency"),
        "trends": charts.lines(labels, series, "Orders, exceptions and payments per day"),
    }
    totals = {"unapplied": ", ".join(money(v, c) for c, v in cash["unapplied"]) or "none",
              "holds": holds["count"], "rate": rate, "auto_rate": auto_rate}
    return render(request, "dashboard.html", figures=figures, totals=totals)
