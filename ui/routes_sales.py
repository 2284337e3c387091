"""Sales reps: their own customers only, read-only (orders, disputes, payments)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from hub.schema_ui import DisputeRow
from hub.tables import BankTransactionRow, CustomerRow, OpenItemRow, OrderRow
from ui import credit
from ui.web import User, csrf_protect, render, role, transaction

router = APIRouter(dependencies=[Depends(csrf_protect)])
READERS = role("sales", "adv", "finance")


@router.get("/sales")
def my_customers(request: Request, user: Annotated[User, Depends(role("sales"))]
                 ) -> HTMLResponse:
    """The rep's customers with their exposure and open disputes."""
    with transaction(request) as session:
        query = select(CustomerRow.customer_id)
        if user.role == "sales":
            query = query.where(CustomerRow.sales_rep == user.username)
        own = list(session.scalars(query))
        rows, _total = credit.exposures(session, "", 1, 500, customers=own)
        disputes = dict(session.execute(select(DisputeRow.customer_id, func.count()).where(
            DisputeRow.customer_id.in_(own), DisputeRow.status == "open")
            .group_by(DisputeRow.customer_id)).all())
    return render(request, "sales.html", rows=rows, disputes=disputes)


@router.get("/customers/{customer_id}")
def customer_page(request: Request, customer_id: str, user: Annotated[User, Depends(READERS)]
                  ) -> HTMLResponse:
    """One customer: orders, open invoices, payments, disputes (404 for another rep's)."""
    with transaction(request) as session:
        customer = session.get(CustomerRow, customer_id)
        if customer is None or (user.role == "sales" and customer.sales_rep != user.username):
            raise HTTPException(404, "no such customer")
        orders = list(session.scalars(select(OrderRow).where(
            OrderRow.customer_id == customer_id).order_by(OrderRow.received_at.desc()).limit(50)))
        items = list(session.scalars(select(OpenItemRow).where(
            OpenItemRow.customer_id == customer_id, OpenItemRow.open_amount > 0)
            .order_by(OpenItemRow.due_date).limit(100)))
        payments = list(session.scalars(select(BankTransactionRow).where(
            BankTransactionRow.customer_id == customer_id)
            .order_by(BankTransactionRow.booking_date.desc()).limit(50)))
        disputes = list(session.scalars(select(DisputeRow).where(
            DisputeRow.customer_id == customer_id).order_by(DisputeRow.id.desc()).limit(50)))
    return render(request, "customer.html", customer=customer, orders=orders, items=items,
                  payments=payments, disputes=disputes)
