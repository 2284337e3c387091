"""ADV pages: the exceptions queue, the order beside its document, pickers, decisions."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.orders import detail
from hub.tables import (
    CustomerAddressRow,
    CustomerRow,
    DocumentRow,
    EvidenceRow,
    OrderRow,
    ProductRow,
)
from ui import adv, documents
from ui.config import ui_settings
from ui.web import (
    Page,
    User,
    contains,
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

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[Depends(csrf_protect)])
ADV = role("adv")
READERS = role("adv", "finance", "sales", "it")


@router.get("/adv/exceptions")
def exceptions_page(  # noqa: PLR0917 - FastAPI reads the filters from the signature
        request: Request, user: Annotated[User, Depends(ADV)],
                    reason: str = "", channel: str = "", customer: str = "", age: str = "",
                    page: str | None = None) -> HTMLResponse:
    """The queue of orders waiting for ADV, filtered, one page at a time."""
    wanted = adv.QueueFilter(reason, channel, customer.strip(), age if age in adv.AGES else "")
    number = page_number(page)
    size = ui_settings(settings(request)).page_size
    with transaction(request) as session:
        rows, total = adv.exception_orders(session, wanted, number, size)
        choices = adv.queue_choices(session)
    return render(request, "adv_exceptions.html", page=Page(rows, number, size, total,
                  wanted.params()), wanted=wanted, choices=choices, ages=list(adv.AGES),
                  reject_reasons=adv.REJECT_REASONS)


@router.post("/adv/bulk")
def bulk(  # noqa: PLR0917 - FastAPI reads the form fields from the signature
        request: Request, user: Annotated[User, Depends(ADV)],
         order_ids: Annotated[list[str], Form()], action: Annotated[str, Form()],
         reason_code: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
         back: Annotated[str, Form()] = "/adv/exceptions") -> Response:
    """Approve or reject several orders at once; each is audited on its own."""
    done, refused = 0, []
    for order_id in order_ids[:500]:
        try:
            with transaction(request) as session:
                if action == "approve":
                    adv.approve(session, order_id, None, user)
                else:
                    adv.reject(session, order_id, reason_code, note, user)
            done += 1
        except adv.ActionRefused as exc:
            refused.append(str(exc))
    if action == "approve" and done:
        _revalidate(request)
    message = f"{done} order(s) {'approved' if action == 'approve' else 'rejected'}"
    if refused:
        message += f"; refused: {'; '.join(refused[:3])}"
    notify(request, message, error=bool(refused))
    return redirect(back if back.startswith("/adv/") else "/adv/exceptions")


class _OneBatch(Exception):  # noqa: N818 - a stop signal, not a failure
    """Stops the validation robot after its first batch."""


def _stop_after_first_batch(_size: int) -> None:
    raise _OneBatch


def _revalidate(request: Request) -> None:
    """Validate the approved orders now: one batch of the oldest waiting orders (approved
    ones are among the oldest), so a person never waits for a large backlog; the
    scheduler validates the rest."""
    if not ui_settings(settings(request)).revalidate_on_approve:
        return
    from robots import validate

    try:
        validate.run(database(request), settings(request), actor="robot:validate",
                     on_batch=_stop_after_first_batch)
    except _OneBatch:
        pass
    except Exception:  # the scheduler validates later; the approval itself stands
        log.exception("validation after approval failed")


# --- one order ---------------------------------------------------------------------


def visible_order(session: Session, order_id: str, user: User) -> OrderRow:
    """The order, if this user may see it (a sales rep: only their customers'); else 404."""
    row = session.get(OrderRow, order_id)
    if row is None or (user.role == "sales" and not _own_customer(session, row.customer_id,
                                                                   user)):
        raise HTTPException(404, "no such order")
    return row


def _own_customer(session: Session, customer_id: str | None, user: User) -> bool:
    customer = session.get(CustomerRow, customer_id) if customer_id else None
    return customer is not None and customer.sales_rep == user.username


@router.get("/orders/{order_id}")
def order_page(request: Request, order_id: str, user: Annotated[User, Depends(READERS)]
               ) -> HTMLResponse:
    """The order as it stands, beside its original document, with its timeline and audit."""
    with transaction(request) as session:
        row = visible_order(session, order_id, user)
        context = _order_context(session, row, user)
    return render(request, "order.html", **context, reject_reasons=adv.REJECT_REASONS)


def _order_context(session: Session, row: OrderRow, user: User) -> dict[str, Any]:
    shown = detail(session, row.id) or {}
    document = session.scalar(select(DocumentRow).where(DocumentRow.sha256 ==
                                                        row.document_sha256))
    numbers = [line["line_number"] for line in shown.get("order", {}).get("lines", [])]
    evidence = documents.marks(list(session.scalars(
        select(EvidenceRow).where(EvidenceRow.order_id == row.id).order_by(EvidenceRow.id))),
        numbers)
    flagged = {e["field"] for e in shown.get("exceptions", []) if e.get("field")}
    return {
        "row": row, "shown": shown, "document": document,
        "view": documents.view(session, document, evidence, flagged) if document else None,
        "evidence_by_field": documents.evidence_for(sorted(flagged), evidence),
        "customer": session.get(CustomerRow, row.customer_id) if row.customer_id else None,
        "ship_tos": _ship_tos(session, row.customer_id),
        "events": audit.history(session, "order", row.id),
        "editable": user.can("adv") and row.status == "exception",
        "next_id": adv.next_exception(session, row.id) if user.can("adv") else None,
    }


def _ship_tos(session: Session, customer_id: str | None) -> list[CustomerAddressRow]:
    if not customer_id:
        return []
    return list(session.scalars(select(CustomerAddressRow).where(
        CustomerAddressRow.customer_id == customer_id, CustomerAddressRow.kind == "ship_to")
        .order_by(CustomerAddressRow.address_id)))


def _corrections(form: Any) -> adv.Corrections:
    skus = {}
    for key, value in form.multi_items():
        if key.startswith("sku_") and isinstance(value, str) and value.strip():
            skus[int(key[4:])] = value.strip()
    return adv.Corrections(customer_id=str(form.get("customer_id") or "").strip() or None,
                           ship_to_address_id=str(form.get("ship_to") or "").strip() or None,
                           skus=skus)


@router.post("/orders/{order_id}/approve")
async def approve(request: Request, order_id: str, user: Annotated[User, Depends(ADV)]
                  ) -> Response:
    """Save the corrections and approve: the order is validated again at once."""
    form = await request.form()
    try:
        fix = _corrections(form)
    except ValueError:
        notify(request, "A line number is not valid", error=True)
        return redirect(f"/orders/{order_id}")
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_approve, request, order_id, fix, user,
                                   form.get("then") == "next")


def _approve(request: Request, order_id: str, fix: adv.Corrections, user: User,
             then_next: bool) -> Response:
    try:
        with transaction(request) as session:
            adv.approve(session, order_id, fix, user)
    except adv.ActionRefused as exc:
        notify(request, str(exc), error=True)
        return redirect(f"/orders/{order_id}")
    _revalidate(request)
    with transaction(request) as session:
        status = session.scalar(select(OrderRow.status).where(OrderRow.id == order_id))
        following = adv.next_exception(session, order_id) if then_next else None
    message = (f"Order approved; after validation it is {status}." if status != "extracted"
               else "Order approved; it waits in the queue for validation.")
    notify(request, message)
    return redirect(f"/orders/{following or order_id}")


@router.post("/orders/{order_id}/reject")
def reject(request: Request, order_id: str, user: Annotated[User, Depends(ADV)],
           reason_code: Annotated[str, Form()] = "", note: Annotated[str, Form()] = ""
           ) -> Response:
    """Reject the order with a reason (EDI partners receive an order response)."""
    try:
        with transaction(request) as session:
            adv.reject(session, order_id, reason_code, note, user)
    except adv.ActionRefused as exc:
        notify(request, str(exc), error=True)
        return redirect(f"/orders/{order_id}")
    notify(request, "Order rejected.")
    return redirect(f"/orders/{order_id}")


# --- master-data pickers -------------------------------------------------------------


def _query_text(request: Request) -> str:
    """The text typed into a picker, whatever the input's name."""
    return next(iter(request.query_params.values()), "").strip()[:80]


@router.get("/pickers/customers")
def pick_customer(request: Request, _user: Annotated[User, Depends(ADV)]) -> HTMLResponse:
    """Options for the customer picker: id or name containing the text."""
    text = _query_text(request)
    with transaction(request) as session:
        rows = session.execute(select(CustomerRow.customer_id, CustomerRow.name).where(
            contains(session, CustomerRow.customer_id, text)
            | contains(session, CustomerRow.name, text))
            .order_by(CustomerRow.customer_id).limit(20)).all()
    options = [(r.customer_id, f"{r.customer_id} · {r.name}") for r in rows]
    return render(request, "_options.html", options=options)


@router.get("/pickers/products")
def pick_product(request: Request, _user: Annotated[User, Depends(ADV)]) -> HTMLResponse:
    """Options for the product picker: active products by SKU, GTIN or description."""
    text = _query_text(request)
    with transaction(request) as session:
        rows = session.execute(select(ProductRow.sku, ProductRow.description, ProductRow.gtin)
                               .where(ProductRow.active.is_(True),
                                      contains(session, ProductRow.sku, text)
                                      | contains(session, ProductRow.description, text)
                                      | contains(session, ProductRow.gtin, text))
                               .order_by(ProductRow.sku).limit(20)).all()
    options = [(r.sku, f"{r.sku} · {r.description or ''} {r.gtin or ''}") for r in rows]
    return render(request, "_options.html", options=options)


@router.get("/pickers/ship-to")
def pick_ship_to(request: Request, _user: Annotated[User, Depends(ADV)],
                 customer_id: str = "") -> HTMLResponse:
    """The ship-to addresses of the chosen customer, as select options."""
    with transaction(request) as session:
        rows = _ship_tos(session, customer_id.strip())
    options = [(a.address_id, f"{a.address_id} · {a.name or ''}, {a.street or ''}, "
                f"{a.postal_code or ''} {a.city or ''}") for a in rows]
    return render(request, "_options.html", options=[("", "— choose —"), *options])
