"""What the web order API answers, and the request body it documents in OpenAPI."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hub.model import Order


class OrderAccepted(BaseModel):
    """The order the request created (or, for a repeated request, created before)."""

    order_id: str = Field(description="The hub's order id.")
    status: str = Field(description="The order's status now (`extracted` on arrival).")
    status_url: str = Field(description="Where `GET` gives the order's status and timeline.")


class TimelineStep(BaseModel):
    """One status the order reached."""

    status: str = Field(description="`received`, `extracted`, `validated`, `exception`, ...")
    at: datetime = Field(description="When, with its time zone.")


class OrderStatus(BaseModel):
    """An order's status and timeline, as its sender may see them."""

    order_id: str
    buyer_order_number: str
    status: str = Field(description="One of the contract's order statuses.")
    received_at: datetime
    timeline: list[TimelineStep]


class Problem(BaseModel):
    """A refusal: 401 (no valid key), 404 (no such order for this key), 413 (body too big)."""

    detail: str


class FieldProblem(BaseModel):
    """One failing field of an invalid body."""

    loc: list[str | int] = Field(description='FastAPI style: `["body", "lines", 0, "quantity"]`.')
    path: str = Field(description="The canonical field path: `lines[0].quantity`.")
    msg: str
    type: str


class ValidationProblem(BaseModel):
    """422: the body is not a canonical order; every failing field is listed."""

    detail: list[FieldProblem]


def order_request_schema() -> dict[str, Any]:
    """The JSON schema of the request body: a canonical order whose ``source`` is optional.

    References are inlined so that the schema stands alone inside the OpenAPI operation.
    """
    schema = Order.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})
    schema["required"] = [name for name in schema.get("required", []) if name != "source"]
    source = defs.get("Source")
    if source is not None:
        source["required"] = []
        source["description"] = (
            "May be omitted. The hub always sets channel `api`, the key's sender and the "
            "sha256 of the request body; `received_at` defaults to the arrival time."
        )
    return _inline(schema, defs)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = copy.deepcopy(defs[ref.removeprefix("#/$defs/")])
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**target, **rest}, defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node
