"""Finance pages: payments to review, decisions to approve, credit holds, exposure."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hub import audit, clock
from hub.schema_ui import CashDecisionRow, DisputeRow
from hub.tables import BankTransactionRow, CustomerRow, OpenItemRow, OrderRow
from robots import validation_credit
from robots.validation_settings import ValidateSettings
from ui import credit
from ui import finance_actions as fa
from ui.config import ui_settings
from ui.web import (
    Page,
    User,
    csrf_protect,
    database,
    notify,
    page_number,
    redirect,
    render,
    role,
    settings,
    transaction,
)
from ui.web import record as audit_action

router = APIRouter(dependencies=[Depends(csrf_protect)])
FINANCE = role("finance")
SPLIT_ROWS = 5


@router.get("/finance/payments")
def payments(request: Request, _user: Annotated[User, Depends(FINANCE)], status: str = "",
             q: str = "", page: str | None = None) -> HTMLResponse:
    """Suggested and unmatched payments, with the best proposal of each."""
    number, size = page_number(page), ui_settings(settings(request)).page_size
    with transaction(request) as session:
        rows, total = fa.payments_page(session, status, q.strip()[:80], number, size)
        best = fa.top_proposals(session, [r.id for r in rows])
    return render(request, "payments.html", page=Page(rows, number, size, total,
                  {"status": status, "q": q}), best=best, status=status, q=q)


@router.get("/finance/payments/{transaction_id}")
def payment(request: Request, transaction_id: str, _user: Annotated[User, Depends(FINANCE)]
            ) -> HTMLResponse:
    """One payment: ranked proposals with their reasons, the split form, what was applied."""
    with transaction(request) as session:
        row = session.get(BankTransactionRow, transaction_id)
        if row is None:
            raise HTTPException(404, "no such payment")
        context = _payment_context(session, row)
    return render(request, "payment.html", **context, rules=ui_settings(settings(request)),
                  reasons=fa.DEDUCTION_REASONS, split_rows=range(SPLIT_ROWS))


def _payment_context(session: Any, row: BankTransactionRow) -> dict[str, Any]:
    proposals = fa.ranked(session, row.id)
    invoice_ids = {i for p in proposals for i, _a in p["lines"]}
    candidates = list(session.scalars(select(OpenItemRow).where(
        OpenItemRow.customer_id == row.customer_id, OpenItemRow.open_amount > 0)
        .order_by(OpenItemRow.due_date).limit(50))) if row.customer_id else []
    known = {i.invoice_id: i for i in session.scalars(select(OpenItemRow).where(
        OpenItemRow.invoice_id.in_(invoice_ids)))}
    return {"row": row, "proposals": proposals, "open_items": known, "candidates": candidates,
            "applied": fa.applied(session, row.id),
            "decisions": list(session.scalars(select(CashDecisionRow).where(
                CashDecisionRow.transaction_id == row.id).order_by(CashDecisionRow.id))),
            "events": audit.history(session, "bank_transaction", row.id)}


@router.post("/finance/payments/{transaction_id}/confirm")
def confirm(request: Request, transaction_id: str, user: Annotated[User, Depends(FINANCE)],
            rank: Annotated[int, Form()] = 0) -> Response:
    """Confirm a proposal as it stands, in one click."""
    with transaction(request) as session:
        chosen = next((p for p in fa.ranked(session, transaction_id) if p["rank"] == rank), None)
    if chosen is None or not chosen["lines"]:
        return _back(request, transaction_id, "That proposal no longer exists.", error=True)
    proposal = fa.Proposal(transaction_id, list(chosen["lines"]), rule=chosen["rule"],
                           reason=chosen["reason"])
    return _decide(request, proposal, user)


@router.post("/finance/payments/{transaction_id}/match")
async def manual_match(request: Request, transaction_id: str,
                       user: Annotated[User, Depends(FINANCE)]) -> Response:
    """A manual match: invoices with split amounts, and a deduction or write-off."""
    form = await request.form()
    try:
        proposal = _proposal_from(transaction_id, form)
    except fa.DecisionRefused as exc:
        return _back(request, transaction_id, str(exc), error=True)
    return await run_in_threadpool(_decide, request, proposal, user)


def _proposal_from(transaction_id: str, form: Any) -> fa.Proposal:
    allocations = []
    for index in range(SPLIT_ROWS):
        invoice = str(form.get(f"invoice_{index}") or "").strip()
        value = fa.amount(str(form.get(f"amount_{index}") or ""))
        if invoice and value is None:
            raise fa.DecisionRefused(f"give the amount for invoice {invoice}")
        if invoice and value is not None:
            allocations.append((invoice, value))
    kind = str(form.get("remainder_kind") or "none")
    if kind not in ("none", "deduction", "write_off"):
        raise fa.DecisionRefused("unknown remainder")
    rest = fa.Remainder(kind, fa.amount(str(form.get("remainder_amount") or "")) or Decimal(0),
                        str(form.get("remainder_invoice") or "").strip() or None,
                        str(form.get("reason_code") or "") or None,
                        form.get("disputed") == "yes")
    return fa.Proposal(transaction_id, allocations, rest, str(form.get("note") or "")[:500])


def _decide(request: Request, proposal: fa.Proposal, user: User) -> Response:
    try:
        with transaction(request) as session:
            decision = fa.propose(session, proposal, user, ui_settings(settings(request)))
            status = decision.status
    except fa.DecisionRefused as exc:
        return _back(request, proposal.transaction_id, str(exc), error=True)
    if status == "pending":
        return _back(request, proposal.transaction_id, "Above the four-eyes amount: the "
                     "decision waits for a second person in Approvals.")
    notify(request, f"Payment {proposal.transaction_id} applied.")
    return redirect("/finance/payments")


def _back(request: Request, transaction_id: str, message: str, *, error: bool = False
          ) -> Response:
    notify(request, message, error=error)
    return redirect(f"/finance/payments/{transaction_id}")


# --- four eyes -----------------------------------------------------------------------


@router.get("/finance/approvals")
def approvals(request: Request, _user: Annotated[User, Depends(FINANCE)]) -> HTMLResponse:
    """Decisions waiting for a second person."""
    with transaction(request) as session:
        rows = list(session.scalars(select(CashDecisionRow).where(
            CashDecisionRow.status == "pending").order_by(CashDecisionRow.id).limit(200)))
        payments_by_id = {t.id: t for t in session.scalars(select(BankTransactionRow).where(
            BankTransactionRow.id.in_([r.transaction_id for r in rows])))}
    return render(request, "approvals.html", rows=rows, payments=payments_by_id,
)


@router.post("/finance/approvals/{decision_id}")
def decide_approval(request: Request, decision_id: int, user: Annotated[User, Depends(FINANCE)],
                    verdict: Annotated[str, Form()], why: Annotated[str, Form()] = "") -> Response:
    """Approve (and apply) or refuse a waiting decision; never one's own."""
    try:
        with transaction(request) as session:
            if verdict == "approve":
                fa.approve(session, decision_id, user)
            else:
                fa.refuse(session, decision_id, user, why[:300])
    except fa.DecisionRefused as exc:
        notify(request, str(exc), error=True)
        return redirect("/finance/approvals")
    word = "approved and applied" if verdict == "approve" else "refused"
    notify(request, f"Decision {decision_id} {word}.")
    return redirect("/finance/approvals")


# --- credit --------------------------------------------------------------------------


@router.get("/finance/credit")
def credit_holds(request: Request, _user: Annotated[User, Depends(FINANCE)],
                 page: str | None = None) -> HTMLResponse:
    """Orders on credit hold: release (four eyes above the amount) or keep."""
    number, size = page_number(page), ui_settings(settings(request)).page_size
    with transaction(request) as session:
        rows, total = credit.holds(session, number, size)
    return render(request, "credit.html", page=Page(rows, number, size, total, {}),
)


@router.post("/finance/credit/{order_id}")
def credit_decision(request: Request, order_id: str, user: Annotated[User, Depends(FINANCE)],
                    verdict: Annotated[str, Form()], note: Annotated[str, Form()] = ""
                    ) -> Response:
    """Release a hold (propose, or approve another's proposal) or keep it."""
    db = database(request)
    rules = ValidateSettings.from_settings(settings(request))
    try:
        if verdict == "release":
            done = validation_credit.propose_credit_release(db, order_id, user.username,
                                                            settings=rules)
            message = "Hold released." if done else "Release proposed: a second person approves."
        elif verdict == "approve":
            validation_credit.approve_credit_release(db, order_id, user.username, settings=rules)
            message = "Release approved; hold released."
        else:
            _keep(request, order_id, user, note)
            message = "Hold kept."
    except validation_credit.CreditReleaseError as exc:
        notify(request, str(exc), error=True)
        return redirect("/finance/credit")
    notify(request, message)
    return redirect("/finance/credit")


def _keep(request: Request, order_id: str, user: User, note: str) -> None:
    with transaction(request) as session:
        if session.get(OrderRow, order_id) is None:
            raise HTTPException(404, "no such order")
        audit_action(session, user, ("order", order_id), "credit_hold_kept", None,
                     {"kept_by": user.username}, note[:300] or "credit hold kept")


@router.get("/finance/exposure")
def exposure(request: Request, _user: Annotated[User, Depends(FINANCE)], q: str = "",
             page: str | None = None) -> HTMLResponse:
    """Each customer's exposure (open invoices and open orders) against the limit."""
    number, size = page_number(page), ui_settings(settings(request)).page_size
    with transaction(request) as session:
        rows, total = credit.exposures(session, q.strip()[:80], number, size)
    return render(request, "exposure.html", page=Page(rows, number, size, total, {"q": q}), q=q)


# --- disputes ------------------------------------------------------------------------


@router.get("/disputes")
def disputes(request: Request, user: Annotated[User, Depends(role("adv", "finance", "sales"))],
             status: str = "open") -> HTMLResponse:
    """Disputed deductions: for ADV, finance, and each sales rep's own customers."""
    with transaction(request) as session:
        query = select(DisputeRow, CustomerRow.name).outerjoin(
            CustomerRow, CustomerRow.customer_id == DisputeRow.customer_id)
        if user.role == "sales":
            query = query.where(CustomerRow.sales_rep == user.username)
        if status:
            query = query.where(DisputeRow.status == status)
        rows = session.execute(query.order_by(DisputeRow.id.desc()).limit(500)).all()
    return render(request, "disputes.html", rows=rows, status=status)


@router.post("/disputes/{dispute_id}/resolve")
def resolve_dispute(request: Request, dispute_id: int,
                    user: Annotated[User, Depends(role("adv", "finance"))],
                    note: Annotated[str, Form()] = "") -> Response:
    """Close a dispute (credit note issued, or the customer paid)."""
    with transaction(request) as session:
        row = session.get(DisputeRow, dispute_id)
        if row is None or row.status != "open":
            raise HTTPException(404, "no open dispute")
        row.status, row.resolved_by, row.resolved_at = "resolved", user.username, clock.now()
        audit_action(session, user, ("dispute", str(dispute_id)), "resolved",
                     {"status": "open"}, {"status": "resolved"}, note[:300] or None)
    notify(request, "Dispute resolved.")
    return redirect("/disputes")
