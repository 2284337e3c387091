"""Writing EDI messages from the outbox to each partner's folder.

Two outbox kinds are sent here: ``edi-acknowledgement`` (bytes ready to write) and the
release robot's ``order-response`` (a JSON decision rendered here as ORDRSP for EDIFACT
partners, a UBL OrderResponse for UBL and Order-X ones, an 855 for X12 ones). The file
transport is the default; another transport plugs in by wrapping
:func:`render_order_response` in its own sender. Every write is atomic and idempotent
on the message's key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.edi.outbound import Envelope, LineDecision, ordrsp, ubl_order_response, x12_855
from connectors.edi.partners import ACKNOWLEDGEMENT, partner_for
from hub import clock, outbox
from hub.db import Database
from hub.model import Order

log = logging.getLogger(__name__)
ORDER_RESPONSE = "order-response"
_ORDER_EXTRA = ("order_id", "customer_id", "ship_to_address_id")


def _write(folder: Path, key: str, extension: str, payload: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{re.sub(r'[^A-Za-z0-9._-]', '_', key)}.{extension}"
    if target.exists() and target.read_bytes() == payload:
        return target  # written before a crash, not yet marked sent
    partial = target.with_suffix(target.suffix + ".partial")
    partial.write_bytes(payload)
    os.replace(partial, target)
    return target


def decisions_from(payload: dict[str, Any], order: Order) -> dict[int, LineDecision]:
    """Line decisions from an ``order-response`` payload.

    The payload carries ``decision`` (``accepted`` or ``rejected``) for the whole order
    and optionally ``lines``: ``[{"line_number", "status", "quantity", "unit_price",
    "delivery_date", "reason"}]`` for per-line answers from the workbench.
    """
    whole = "rejected" if payload.get("decision") == "rejected" else "accepted"
    decisions = {line.line_number: LineDecision(line.line_number, whole,  # type: ignore[arg-type]
                                                reason=payload.get("reason"))
                 for line in order.lines}  # fmt: skip
    for line in payload.get("lines") or []:
        number = int(line["line_number"])
        decisions[number] = LineDecision(
            number, line.get("status", "accepted"),
            quantity=_decimal(line.get("quantity")), unit_price=_decimal(line.get("unit_price")),
            delivery_date=_date(line.get("delivery_date")), reason=line.get("reason"),
        )  # fmt: skip
    return decisions


def _decimal(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def render_order_response(message: outbox.Message) -> tuple[bytes, str] | None:
    """The ORDRSP or UBL OrderResponse for an ``order-response`` message, with its file
    extension (EDIFACT: ORDRSP, UBL and Order-X: UBL OrderResponse, X12: 855); None for
    a format that has no response."""
    payload = json.loads(message.payload)
    data = {k: v for k, v in payload["order"].items() if k not in _ORDER_EXTRA}
    order = Order.model_validate(data)
    decisions = decisions_from(payload, order)
    fmt = order.source.format or ""
    number = f"R{payload.get('order_id', message.subject_id)}"[:35]
    if fmt.startswith("edifact"):
        envelope = Envelope(
            sender=(order.seller.gln if order.seller and order.seller.gln else "O2C"),
            recipient=order.source.sender or "UNKNOWN", reference=number[:14],
            prepared=clock.now(),
        )  # fmt: skip
        return ordrsp(order, decisions, envelope=envelope, response_number=number), "edi"
    if fmt.startswith(("ubl", "order-x")):
        issued = clock.now().date()
        return ubl_order_response(order, decisions, response_id=number, issued=issued), "xml"
    if fmt == "x12-850":
        control = int(hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:8], 16) % 10**9
        their_id = order.source.sender or "UNKNOWN"
        payload = x12_855(order, decisions, our_id=_our_id(order), their_id=their_id,
                          control=control or 1, prepared=clock.now())  # fmt: skip
        return payload, "x12"
    return None


def _our_id(order: Order) -> str:
    seller = order.seller
    return (seller.gln or seller.buyer_assigned_id or "O2C") if seller else "O2C"


class PartnerFolderSender:
    """The outbox sender for EDI kinds: writes into the partner's outbox folder.

    Args:
        db: Where the partners are.
        default_folder: For partners without an outbox folder (``O2C_OUTBOX``/edi).
    """

    def __init__(self, db: Database, default_folder: Path) -> None:
        self.db = db
        self.default_folder = default_folder

    def _folder(self, sender: str | None) -> tuple[Path, bool]:
        with self.db.session() as session:
            partner = partner_for(session, sender)
            if partner is None:
                return self.default_folder, True
            folder = Path(partner.outbox) if partner.outbox else self.default_folder
            return folder, bool(partner.order_response)

    def acknowledgement(self, message: outbox.Message) -> None:
        """Write a queued CONTRL or 997."""
        folder = Path(message.target) if message.target else self.default_folder
        extension = "x12" if ":997:" in message.dedupe_key else "edi"
        _write(folder, message.dedupe_key, extension, message.payload)

    def order_response(self, message: outbox.Message) -> None:
        """Render and write an order response, when the partner wants them."""
        folder, wanted = self._folder(message.target)
        if not wanted:
            log.info("partner %s does not take order responses", message.target)
            return
        rendered = render_order_response(message)
        if rendered is None:
            log.info("no order response format for %s", message.dedupe_key)
            return
        payload, extension = rendered
        _write(folder, message.dedupe_key, extension, payload)


def senders(db: Database, outbox_folder: Path) -> dict[str, Callable[[outbox.Message], None]]:
    """The EDI senders by outbox kind, for :func:`hub.outbox.dispatch`."""
    sender = PartnerFolderSender(db, outbox_folder / "edi")
    return {ACKNOWLEDGEMENT: sender.acknowledgement, ORDER_RESPONSE: sender.order_response}
