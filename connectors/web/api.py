"""The web order API: web shops and customers push canonical orders, then follow them.

``POST /api/v1/orders`` takes a canonical order with a bearer key from
``o2c apikey create`` and an optional ``Idempotency-Key``. The body's bytes are stored
first, like every inbound document; a valid order is then queued in the same
transaction as the key's record, so a request either fully happens or not at all.
``GET /api/v1/orders/{order_id}`` gives the status and timeline to the order's sender
only: any other key gets 404, which does not even say that the order exists. The API's
OpenAPI document is at ``/api/v1/openapi.json``.

The workbench server mounts the routes through the ``o2c.web`` entry point
(:func:`register`); the database is ``app.state.database`` when the server set one,
else the configured one.
"""

from __future__ import annotations

import json
import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from importlib import metadata
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from connectors.web import keys
from connectors.web.api_models import (
    FieldProblem,
    OrderAccepted,
    OrderStatus,
    Problem,
    TimelineStep,
    ValidationProblem,
    order_request_schema,
)
from hub import clock, queue, store
from hub.db import Database
from hub.documents import RawDocument
from hub.model import Order
from hub.orders import timeline
from hub.settings import Section, Settings
from hub.tables import IdempotencyKeyRow, OrderRow

API_FORMAT = "api-json"
STATUS_ROUTE = "o2c_api_order_status"


class ApiSettings(Section):
    """The web order API (``[web.api]`` in ``o2c.toml``)."""

    max_body_bytes: int = Field(default=1024 * 1024, gt=0, le=50 * 1024 * 1024)
    """Request bodies larger than this are refused with 413 (default 1 MiB)."""


class BodyTooLarge(Exception):  # noqa: N818 - the HTTP status's own name
    """The request body is over the cap."""


# SQLite has one writer at a time, and a deferred transaction that must turn into a write
# fails at once with "database is locked" instead of waiting: the server's worker threads
# take turns to write there. PostgreSQL needs no such thing.
_SQLITE_WRITES = threading.Lock()


def _writing(db: Database) -> AbstractContextManager[Any]:
    return nullcontext() if db.is_postgres else _SQLITE_WRITES


bearer = HTTPBearer(auto_error=False, description="A key from `o2c apikey create SENDER`.")


def database(request: Request) -> Database:
    """The server's database, opened from the settings on first use when none was set."""
    state = request.app.state
    if getattr(state, "database", None) is None:
        state.database = Database(Settings.load().core.database_url)
    return state.database


def sender(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The sender the bearer key speaks for.

    Raises:
        HTTPException: 401 without a valid key.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized()
    with database(request).session() as session:
        found = keys.sender_of(session, credentials.credentials)
    if found is None:
        raise _unauthorized()
    return found


def _unauthorized() -> HTTPException:
    return HTTPException(
        401,
        "a valid API key is required (Authorization: Bearer KEY)",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def build_router(settings: ApiSettings | None = None) -> APIRouter:
    """The API's routes with their settings.

    Args:
        settings: The ``[web.api]`` section; defaults when ``None``.
    """
    limit = (settings or ApiSettings()).max_body_bytes
    router = APIRouter(prefix="/api/v1", tags=["orders"])

    @router.post(
        "/orders",
        status_code=201,
        response_model=OrderAccepted,
        summary="Submit a canonical order",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": order_request_schema()}},
            }
        },
        responses={
            401: {"model": Problem, "description": "No valid API key."},
            413: {"model": Problem, "description": f"Body over {limit} bytes."},
            422: {"model": ValidationProblem, "description": "Not a canonical order."},
        },
    )
    async def create_order(
        request: Request,
        who: Annotated[str, Depends(sender)],
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                min_length=1,
                max_length=200,
                description="The same key again answers the order the first request created.",
            ),
        ] = None,
    ) -> JSONResponse:
        """Queue one order. ``source`` may be omitted; the hub fills it."""
        try:
            body = await read_body(request, limit)
        except BodyTooLarge:
            return JSONResponse({"detail": f"request body over {limit} bytes"}, status_code=413)
        db = database(request)
        outcome = await run_in_threadpool(submit_serialised, db, body, who, idempotency_key)
        if isinstance(outcome, list):
            return JSONResponse({"detail": [p.model_dump() for p in outcome]}, status_code=422)
        order_id, status, replayed = outcome
        url = str(request.url_for(STATUS_ROUTE, order_id=order_id))
        headers = {"Location": url, **({"Idempotent-Replayed": "true"} if replayed else {})}
        accepted = OrderAccepted(order_id=order_id, status=status, status_url=url)
        return JSONResponse(accepted.model_dump(), status_code=201, headers=headers)

    @router.get(
        "/orders/{order_id}",
        name=STATUS_ROUTE,
        response_model=OrderStatus,
        summary="An order's status and timeline",
        responses={
            401: {"model": Problem},
            404: {
                "model": Problem,
                "description": "No order with this id was sent with this key's sender.",
            },
        },
    )
    def order_status(
        order_id: str, request: Request, who: Annotated[str, Depends(sender)]
    ) -> OrderStatus:
        """The order's status and each status it went through, for its sender only."""
        with database(request).session() as session:
            row = session.get(OrderRow, order_id)
            if row is None or row.channel != "api" or row.sender != who:
                raise HTTPException(404, "no such order for this sender")
            steps = [TimelineStep(status=s.status, at=s.at) for s in timeline(session, order_id)]
            return OrderStatus(
                order_id=row.id,
                buyer_order_number=row.buyer_order_number,
                status=row.status,
                received_at=row.received_at,
                timeline=steps,
            )

    _publish_openapi(router)
    return router


def _publish_openapi(router: APIRouter) -> None:
    """Serve the API's own OpenAPI document at ``/api/v1/openapi.json``.

    The workbench app publishes no OpenAPI of its own pages; the order API's document
    stays available whatever app mounts it.
    """
    routes = list(router.routes)
    document: dict[str, Any] = {}

    @router.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        if not document:
            document.update(
                get_openapi(
                    title="o2c web order API",
                    version=_version(),
                    routes=routes,
                    description="Submit canonical orders and follow their status. Keys come "
                    "from `o2c apikey create SENDER`.",
                )
            )
        return document


def _version() -> str:
    try:
        return metadata.version("o2c")
    except metadata.PackageNotFoundError:
        return "0"


def submit_serialised(
    db: Database, body: bytes, who: str, idempotency_key: str | None
) -> tuple[str, str, bool] | list[FieldProblem]:
    """:func:`submit`, one at a time on SQLite."""
    with _writing(db):
        return submit(db, body, who, idempotency_key)


def submit(
    db: Database, body: bytes, who: str, idempotency_key: str | None
) -> tuple[str, str, bool] | list[FieldProblem]:
    """Store the body, then queue its order; a repeated request answers the first order.

    Returns:
        ``(order_id, status, replayed)``, or the failing fields of an invalid body.
    """
    if idempotency_key and (known := _remembered(db, who, idempotency_key)):
        return (*known, True)
    now = clock.now()
    raw = RawDocument(
        body,
        f"api-order-{who}.json",
        channel="api",
        sender=who,
        received_at=now,
        document_ref=idempotency_key,
        media_type="application/json",
    )
    with db.session() as session:  # raw first, committed on its own
        document = store.store(session, raw).document
    order_or_problems = parse_order(body, who, raw.sha256, now)
    if isinstance(order_or_problems, list):
        reason = "; ".join(f"{p.path}: {p.msg}" for p in order_or_problems)
        with db.session() as session:
            store.mark(session, document.id, "failed", error=reason, error_code="INVALID_VALUE")
        return order_or_problems
    try:
        return _enqueue(db, document.id, order_or_problems, who, idempotency_key)
    except IntegrityError:  # a concurrent twin of this request won the race
        known = _remembered(db, who, idempotency_key) if idempotency_key else None
        return (*(known or _existing(db, raw.sha256)), True)


def _enqueue(
    db: Database, document_id: str, order: Order, who: str, idempotency_key: str | None
) -> tuple[str, str, bool]:
    with db.session() as session:
        enqueued = queue.enqueue(session, [order], actor=f"api:{who}")
        order_id = (enqueued.created or enqueued.existing)[0]
        if idempotency_key:
            session.add(
                IdempotencyKeyRow(
                    sender=who, key=idempotency_key, order_id=order_id, created_at=clock.now()
                )
            )
        if enqueued.created:
            store.mark(session, document_id, "extracted", format=API_FORMAT, order_count=1)
            return order_id, "extracted", False
        status = session.scalar(select(OrderRow.status).where(OrderRow.id == order_id))
    return order_id, status or "extracted", True


def _remembered(db: Database, who: str, idempotency_key: str) -> tuple[str, str] | None:
    with db.session() as session:
        row = session.get(IdempotencyKeyRow, (who, idempotency_key))
        if row is None:
            return None
        status = session.scalar(select(OrderRow.status).where(OrderRow.id == row.order_id))
        return row.order_id, status or "extracted"


def _existing(db: Database, sha256: str) -> tuple[str, str]:
    with db.session() as session:
        row = session.scalars(select(OrderRow).where(OrderRow.document_sha256 == sha256)).one()
        return row.id, row.status


def parse_order(body: bytes, who: str, sha256: str, now: datetime) -> Order | list[FieldProblem]:
    """The canonical order in the body, with the hub's ``source``; or the failing fields."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [FieldProblem(loc=["body"], path="", msg=f"not JSON: {exc}", type="json_invalid")]
    if not isinstance(data, dict):
        return [
            FieldProblem(loc=["body"], path="", msg="expected a JSON object", type="object_type")
        ]
    source = data.get("source")
    source = dict(source) if isinstance(source, dict) else {}
    source.update(channel="api", sender=who, sha256=sha256)
    source.setdefault("format", API_FORMAT)
    source.setdefault("received_at", now.isoformat())
    data["source"] = source
    try:
        return Order.model_validate(data)
    except ValidationError as exc:
        return [_problem(error) for error in exc.errors()]


def _problem(error: Any) -> FieldProblem:
    loc = [p if isinstance(p, int) else str(p) for p in error["loc"]]
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return FieldProblem(loc=["body", *loc], path=path, msg=error["msg"], type=error["type"])


def register(app: FastAPI) -> None:
    """Mount the API on the workbench server (entry point ``o2c.web``).

    Reads ``[web.api]`` from ``app.state.settings`` when the server loaded the settings,
    else from ``o2c.toml``.
    """
    loaded = getattr(app.state, "settings", None)
    settings = loaded if isinstance(loaded, Settings) else Settings.load()
    app.include_router(build_router(settings.section("web.api", ApiSettings)))
