"""The release robot: hand grouped orders to the ERP exactly once, and tell the customer.

Release takes open groups (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so several
workers never release the same group), moves their orders to ``released`` and, in the
same transaction, writes one outbox message per exporter (:mod:`hub.outbox`). The
messages are then sent by the exporters below; whatever was not confirmed is sent again
after a crash, and every exporter is idempotent on the message's key. Orders that came
by EDI also get an ``order-response`` message, which the EDI channel renders as ORDRSP
or a UBL OrderResponse.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import outbox
from hub.db import Database
from hub.errors import TransientError
from hub.orders import canonical_many
from hub.queue import transition
from hub.settings import Section, Settings, read_secret
from hub.tables import OrderGroupRow, OrderRow

ORDER_RESPONSE = "order-response"
Exporter = Literal["json", "csv", "webhook"]


class ReleaseSettings(Section):
    """How released orders reach the ERP (``[release]`` in ``o2c.toml``)."""

    exporters: list[Exporter] = Field(default=["json", "csv"])
    """Exports written per released group: ``json`` and ``csv`` files in the outbox folder
    (``O2C_OUTBOX``), and/or a ``webhook``."""

    webhook_url: str | None = None
    """Where the ``webhook`` exporter POSTs each group as JSON."""

    webhook_token_env: str | None = None
    """Environment variable holding a bearer token for the webhook, if it needs one."""

    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    """How long one webhook call may take before it counts as a transient failure."""

    batch_size: int = Field(default=200, gt=0)
    """Groups released per transaction."""


def run(
    db: Database, settings: Settings, *, actor: str = "robot:release",
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Release every open group and send the exports; returns counts.

    ``should_stop`` is asked between batches (a worker told to stop finishes its batch).
    """
    rules = settings.section("release", ReleaseSettings)
    counts = {"released": 0, "groups": 0}
    while True:
        with db.session() as session:
            groups = _lock_open_groups(session, rules.batch_size)
            counts["released"] += _release_groups(session, groups, rules, actor)
            counts["groups"] += len(groups)
        if len(groups) < rules.batch_size or (should_stop and should_stop()):
            break
    sent = outbox.dispatch(db, senders(settings))
    counts.update({f"exports_{k}": v for k, v in sent.items() if v})
    return counts


def _lock_open_groups(session: Session, limit: int) -> list[OrderGroupRow]:
    query = (select(OrderGroupRow).where(OrderGroupRow.status == "open")
             .order_by(OrderGroupRow.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _release_groups(
    session: Session, groups: list[OrderGroupRow], rules: ReleaseSettings, actor: str
) -> int:
    """Release a batch of groups in the caller's transaction, exports in the outbox."""
    orders = list(session.scalars(
        select(OrderRow).where(OrderRow.group_id.in_([g.id for g in groups]),
                               OrderRow.status == "grouped").order_by(OrderRow.id)))
    for group in groups:
        group.status = "released"
    if not orders:
        return 0
    transition(session, [o.id for o in orders], "released", actor=actor,
               detail="released to the ERP")
    placed = placed_orders(session, orders)
    members: dict[str, list[OrderRow]] = defaultdict(list)
    for order in orders:
        members[order.group_id or ""].append(order)
    messages: list[dict[str, Any]] = []
    for group in groups:
        if members.get(group.id):
            export = group_export(group, [placed[o.id] for o in members[group.id]])
            messages += _messages(group, members[group.id], export, rules)
    outbox.put_many(session, messages)
    return len(orders)


def _messages(group: OrderGroupRow, orders: list[OrderRow], export: dict[str, Any],
              rules: ReleaseSettings) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"kind": f"erp-{exporter}", "dedupe_key": f"erp-{exporter}:{group.id}",
         "subject_id": group.id, "payload": render(exporter, export)}
        for exporter in rules.exporters
    ]
    for order in orders:
        if order.channel == "edi":
            placed = next(o for o in export["orders"] if o["order_id"] == order.id)
            payload = {"order_id": order.id, "decision": "accepted", "reason": None,
                       "order": placed}
            found.append({"kind": ORDER_RESPONSE, "dedupe_key": f"{ORDER_RESPONSE}:{order.id}",
                          "subject_id": order.id,
                          "payload": json.dumps(payload, separators=(",", ":")).encode(),
                          "target": order.sender})
    return found


def placed_orders(session: Session, orders: list[OrderRow]) -> dict[str, dict[str, Any]]:
    """Each order as the ERP receives it: the canonical order with its id and what
    validation resolved."""
    canonical = canonical_many(session, orders)
    return {row.id: {"order_id": row.id, "customer_id": row.customer_id,
                     "ship_to_address_id": row.ship_to_address_id,
                     **canonical[row.id].to_json_dict()} for row in orders}


def group_export(group: OrderGroupRow, placed: list[dict[str, Any]]) -> dict[str, Any]:
    """The group as the ERP receives it: the rule, and each order."""
    return {
        "group_id": group.id, "rule": group.rule, "customer_id": group.customer_id,
        "ship_to_address_id": group.ship_to_address_id,
        "delivery_date": group.delivery_date.isoformat() if group.delivery_date else None,
        "orders": placed,
    }


CSV_COLUMNS = (
    "group_id", "order_id", "buyer_order_number", "customer_id", "ship_to_address_id",
    "line_number", "sku", "quantity", "unit", "unit_price", "requested_delivery_date",
)


def render(exporter: str, export: dict[str, Any]) -> bytes:
    """The bytes one exporter sends for a group."""
    if exporter == "csv":
        return _csv(export)
    # Compact on purpose: json's C encoder is only used without indentation, and at
    # thousands of exports a minute the pretty-printer costs more than the database.
    return json.dumps(export, ensure_ascii=False, separators=(",", ":")).encode()


def _csv(export: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for order in export["orders"]:
        for line in order["lines"]:
            writer.writerow([
                export["group_id"], order["order_id"], order["buyer_order_number"],
                order["customer_id"], order["ship_to_address_id"], line["line_number"],
                line.get("sku"), line["quantity"], line.get("unit"), line.get("unit_price"),
                line.get("requested_delivery_date") or order.get("requested_delivery_date"),
            ])
    return buffer.getvalue().encode()


def senders(settings: Settings) -> dict[str, outbox.Sender]:
    """The ERP exporters' senders, by outbox kind."""
    rules = settings.section("release", ReleaseSettings)
    folder = Path(settings.core.outbox)
    found: dict[str, outbox.Sender] = {
        "erp-json": FileSender(folder, "json"), "erp-csv": FileSender(folder, "csv"),
    }
    if rules.webhook_url:
        token = read_secret(rules.webhook_token_env) if rules.webhook_token_env else None
        found["erp-webhook"] = WebhookSender(rules.webhook_url, token,
                                             rules.webhook_timeout_seconds)
    return found


class FileSender:
    """Writes each export to ``FOLDER/<key>.<ext>`` atomically; the same key twice is one file."""

    def __init__(self, folder: Path, extension: str) -> None:
        self.folder = folder
        self.extension = extension

    def __call__(self, message: outbox.Message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{_file_stem(message.dedupe_key)}.{self.extension}"
        if target.exists() and target.read_bytes() == message.payload:
            return  # sent before a crash, not yet marked: nothing to do
        partial = target.with_suffix(target.suffix + ".partial")
        partial.write_bytes(message.payload)
        os.replace(partial, target)


def _file_stem(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


class WebhookSender:
    """POSTs each export as JSON with its ``Idempotency-Key``; 5xx and network errors retry."""

    def __init__(self, url: str, token: str | None, timeout: float) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    def __call__(self, message: outbox.Message) -> None:
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            self.url, data=message.payload, method="POST", headers=self._headers(message))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise TransientError(f"webhook answered {exc.code}") from None
            raise ValueError(f"webhook refused the export: HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TransientError(f"webhook unreachable: {exc}") from None

    def _headers(self, message: outbox.Message) -> Mapping[str, str]:
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.dedupe_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers
