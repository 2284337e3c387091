"""Documents: failed ones for ADV, one document with its view, pages, crops, raw bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub import audit, store
from hub.errors import BadDocument
from hub.tables import DocumentRow, EvidenceRow, OrderRow
from ui import documents
from ui.config import ui_settings
from ui.web import (
    Page,
    User,
    contains,
    csrf_protect,
    page_number,
    render,
    role,
    settings,
    transaction,
)

router = APIRouter(dependencies=[Depends(csrf_protect)])
DOCS = role("adv", "it")
#: Page images and crops: also finance, which opens orders on credit hold.
IMAGES = role("adv", "finance", "it")
FAILED = ("failed", "partial")


def _document(session: Session, document_id: str) -> DocumentRow:
    row = session.get(DocumentRow, document_id)
    if row is None:
        raise HTTPException(404, "no such document")
    return row


def search_documents(session: Session, text: str, status: str, number: int, size: int
                     ) -> tuple[list[DocumentRow], int]:
    """Documents by sha256 (prefix), sender, name or PO number, newest first."""
    query = select(DocumentRow)
    if status == "problems":
        query = query.where(DocumentRow.status.in_(FAILED))
    elif status:
        query = query.where(DocumentRow.status == status)
    if text:
        by_po = select(OrderRow.document_sha256).where(OrderRow.buyer_order_number == text)
        query = query.where(or_(DocumentRow.sha256.startswith(text.lower()),
                                contains(session, DocumentRow.sender, text),
                                contains(session, DocumentRow.name, text),
                                DocumentRow.sha256.in_(by_po)))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(DocumentRow.received_at.desc(), DocumentRow.id.desc())
                           .offset((number - 1) * size).limit(size))
    return list(rows), total


@router.get("/adv/documents")
def failed_documents(request: Request, _user: Annotated[User, Depends(DOCS)],
                     page: str | None = None) -> HTMLResponse:
    """Documents that could not be read, each with its reason."""
    number, size = page_number(page), ui_settings(settings(request)).page_size
    with transaction(request) as session:
        rows, total = search_documents(session, "", "problems", number, size)
    return render(request, "documents.html", page=Page(rows, number, size, total, {}),
                  title="Failed documents", q="", status="problems", searchable=False)


@router.get("/it/documents")
def document_search(request: Request, _user: Annotated[User, Depends(DOCS)], q: str = "",
                    status: str = "", page: str | None = None) -> HTMLResponse:
    """Find a document by hash, sender, name or PO number."""
    number, size = page_number(page), ui_settings(settings(request)).page_size
    with transaction(request) as session:
        rows, total = search_documents(session, q.strip()[:120], status, number, size)
    return render(request, "documents.html", page=Page(rows, number, size, total,
                  {"q": q, "status": status}), title="Documents", q=q, status=status,
                  searchable=True, statuses=store.DOCUMENT_STATES)


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: str, _user: Annotated[User, Depends(DOCS)]
                  ) -> HTMLResponse:
    """One document: what became of it, its orders, its history, and the document itself."""
    with transaction(request) as session:
        row = _document(session, document_id)
        orders = list(session.scalars(select(OrderRow).where(
            OrderRow.document_sha256 == row.sha256).order_by(OrderRow.id)))
        evidence = documents.marks(list(session.scalars(select(EvidenceRow).where(
            EvidenceRow.document_sha256 == row.sha256))))
        shown = documents.view(session, row, evidence, set())
        events = audit.history(session, "document", row.id)
    return render(request, "document.html", document=row, orders=orders, view=shown,
                  events=events)


@router.get("/documents/{document_id}/raw")
def raw_download(request: Request, document_id: str, user: Annotated[User, Depends(DOCS)]
                 ) -> Response:
    """The stored bytes, exactly as received, as a download."""
    with transaction(request, write=True) as session:  # the download is audited
        row = _document(session, document_id)
        content = store.content(session, row.sha256)
        audit.record(session, [audit.AuditEvent("document", row.id, "downloaded",
                                                 user.username, None, None)])
    if content is None:
        raise HTTPException(404, "the document's bytes are missing")
    return _attachment(content, row.name, "application/octet-stream")


def _attachment(content: bytes, name: str, media_type: str) -> Response:
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:120] or "document"
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{safe}"',
        "X-Content-Type-Options": "nosniff"})


@router.get("/documents/{document_id}/attachments/{number}")
def mail_attachment(request: Request, document_id: str, number: int,
                    _user: Annotated[User, Depends(DOCS)]) -> Response:
    """One attachment of an e-mail document, as a download."""
    with transaction(request) as session:
        row = _document(session, document_id)
        content = store.content(session, row.sha256) or b""
    found = documents.attachment(content, number)
    if found is None:
        raise HTTPException(404, "no such attachment")
    return _attachment(found[2], found[0], "application/octet-stream")


@router.get("/documents/{document_id}/pages/{number}.png")
def page_png(request: Request, document_id: str, number: int,
             _user: Annotated[User, Depends(IMAGES)]) -> Response:
    """One page of a PDF or scan as an image."""
    with transaction(request) as session:
        row = _document(session, document_id)
        content = store.content(session, row.sha256) or b""
    try:
        image = documents.page_image(row.sha256, content, number)
    except BadDocument as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(documents.png(image), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})


@router.get("/evidence/{evidence_id}.png")
def evidence_png(request: Request, evidence_id: int,
                 _user: Annotated[User, Depends(IMAGES)]) -> Response:
    """The crop of the page behind one extracted field."""
    with transaction(request) as session:
        item = session.get(EvidenceRow, evidence_id)
        if item is None or not item.page or not item.box:
            raise HTTPException(404, "no such evidence")
        content = store.content(session, item.document_sha256) or b""
    try:
        image = documents.page_image(item.document_sha256, content, item.page)
    except BadDocument as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(documents.png(documents.crop(image, item.box)), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})
