"""The grouping robot: consolidate validated orders into deliveries.

Orders group together when they share the customer, the ship-to, the incoterms and the
currency, their requested delivery dates fall inside a window, and they ship on the same
day given the carrier cut-off. Weight and volume limits open a new group when a delivery
would carry too much. An order marked ``deliver_separately`` is never merged. Each group
records, in words, the rule that made it. Grouping is deterministic (orders are taken in
key, date and id order) and idempotent (a second run finds nothing validated).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import clock, queue
from hub.db import Database
from hub.ids import new_id
from hub.settings import Section, Settings
from hub.tables import OrderGroupRow, OrderLineRow, OrderRow, ProductRow

GroupKey = tuple[str, str, str, str, date | None]
#: Marks the stored key of a group made for one order delivered separately.
SEPARATE = "|separate"


class GroupSettings(Section):
    """Consolidation rules (``[group]`` in ``o2c.toml``)."""

    delivery_window_days: int = Field(default=0, ge=0)
    """Orders whose requested delivery dates lie within this many days of a group's first
    date join it (0: same date only)."""

    cutoff: time | None = None
    """Carrier cut-off in the company's time zone (``"14:00"``): orders validated later
    ship the next day and never join a group of the same day."""

    max_weight_kg: Decimal | None = None
    """Heaviest delivery a group may make (products' ``weight_kg`` x quantity)."""

    max_volume_m3: Decimal | None = None
    """Largest delivery a group may make (products' ``volume_m3`` x quantity)."""

    batch_size: int = Field(default=5000, gt=0)
    """Orders taken per run."""


@dataclass
class Candidate:
    """A validated order as grouping sees it."""

    order_id: str
    key: GroupKey
    delivery_date: date | None
    separate: bool
    weight: Decimal
    volume: Decimal


@dataclass
class Group:
    """A delivery being filled."""

    id: str
    key: GroupKey
    first_date: date | None
    weight: Decimal = Decimal(0)
    volume: Decimal = Decimal(0)
    separate: bool = False
    new: bool = True
    members: list[str] = field(default_factory=list)


def run(db: Database, settings: Settings, *, actor: str = "robot:group") -> dict[str, int]:
    """Group every validated order; returns counts ``grouped`` and ``groups``."""
    rules = settings.section("group", GroupSettings)
    zone = ZoneInfo(settings.core.timezone)
    owner = f"{actor}:{new_id('RUN')}"
    counts = {"grouped": 0, "groups": 0}
    with db.session() as session:
        ids = queue.claim(session, "validated", limit=rules.batch_size, owner=owner,
                          lease_seconds=settings.core.lease_seconds)
    if not ids:
        return counts
    with db.session() as session:
        candidates = _candidates(session, ids, rules, zone)
        groups = assign(candidates, _open_groups(session, rules), rules)
        _write(session, groups, rules, actor)
    counts["grouped"] = len(ids)
    counts["groups"] = sum(1 for g in groups if g.new)
    return counts


def assign(
    candidates: list[Candidate], open_groups: list[Group], rules: GroupSettings
) -> list[Group]:
    """Put each candidate in a group (pure and deterministic; the tables test this)."""
    by_key: dict[GroupKey, list[Group]] = defaultdict(list)
    for existing in open_groups:
        by_key[existing.key].append(existing)
    touched: dict[str, Group] = {}
    for candidate in sorted(candidates, key=_sort_key):
        group = _fitting(by_key[candidate.key], candidate, rules)
        if group is None:
            group = Group(new_id("GRP"), candidate.key, candidate.delivery_date,
                          separate=candidate.separate)
            by_key[candidate.key].append(group)
        group.members.append(candidate.order_id)
        group.weight += candidate.weight
        group.volume += candidate.volume
        touched[group.id] = group
    return list(touched.values())


def _sort_key(candidate: Candidate) -> tuple[Any, ...]:
    return (tuple(str(k) for k in candidate.key), candidate.delivery_date or date.max,
            candidate.order_id)


def _fitting(groups: list[Group], candidate: Candidate, rules: GroupSettings) -> Group | None:
    if candidate.separate:
        return None
    for group in groups:
        if group.separate or not _in_window(group, candidate, rules):
            continue
        if _over(group.weight + candidate.weight, rules.max_weight_kg):
            continue
        if _over(group.volume + candidate.volume, rules.max_volume_m3):
            continue
        return group
    return None


def _in_window(group: Group, candidate: Candidate, rules: GroupSettings) -> bool:
    if group.first_date is None or candidate.delivery_date is None:
        return group.first_date == candidate.delivery_date
    gap = (candidate.delivery_date - group.first_date).days
    return 0 <= gap <= rules.delivery_window_days


def _over(total: Decimal, limit: Decimal | None) -> bool:
    return limit is not None and total > limit


def _candidates(
    session: Session, ids: list[str], rules: GroupSettings, zone: ZoneInfo
) -> list[Candidate]:
    rows = session.scalars(select(OrderRow).where(OrderRow.id.in_(ids))).all()
    loads = _loads(session, ids)
    return [
        Candidate(
            order_id=row.id, key=_key(row, rules, zone),
            delivery_date=row.requested_delivery_date,
            separate=bool(row.header.get("deliver_separately")),
            weight=loads[row.id][0], volume=loads[row.id][1],
        )
        for row in rows
    ]


def _key(row: OrderRow, rules: GroupSettings, zone: ZoneInfo) -> GroupKey:
    ship_day = None
    if rules.cutoff is not None:
        local = row.updated_at.astimezone(zone)
        ship_day = local.date() + timedelta(days=1 if local.time() >= rules.cutoff else 0)
    return (row.customer_id or "", row.ship_to_address_id or "",
            row.header.get("incoterms") or "", row.currency or "", ship_day)


def _loads(session: Session, ids: list[str]) -> dict[str, tuple[Decimal, Decimal]]:
    query = (
        select(OrderLineRow.order_id, OrderLineRow.quantity, ProductRow.weight_kg,
               ProductRow.volume_m3)
        .join(ProductRow, ProductRow.sku == OrderLineRow.sku, isouter=True)
        .where(OrderLineRow.order_id.in_(ids))
    )
    loads: dict[str, tuple[Decimal, Decimal]] = {i: (Decimal(0), Decimal(0)) for i in ids}
    for order_id, quantity, weight, volume in session.execute(query):
        total_weight, total_volume = loads[order_id]
        loads[order_id] = (total_weight + quantity * (weight or 0),
                           total_volume + quantity * (volume or 0))
    return loads


def _open_groups(session: Session, rules: GroupSettings) -> list[Group]:
    """Groups not yet released that may still take orders, with the load they carry.

    On PostgreSQL the rows are locked until this batch commits, so that the release
    robot never releases a group while an order is being added to it.
    """
    query = select(OrderGroupRow).where(OrderGroupRow.status == "open",
                                        OrderGroupRow.group_key.not_like(f"%{SEPARATE}"))
    if session.get_bind().dialect.name == "postgresql":
        query = query.order_by(OrderGroupRow.id).with_for_update()
    groups = {row.id: _group_of(row) for row in session.scalars(query)}
    if groups and (rules.max_weight_kg is not None or rules.max_volume_m3 is not None):
        members = session.execute(
            select(OrderRow.id, OrderRow.group_id).where(OrderRow.group_id.in_(list(groups))))
        owner = {order_id: group_id for order_id, group_id in members if group_id}
        for order_id, (weight, volume) in _loads(session, list(owner)).items():
            groups[owner[order_id]].weight += weight
            groups[owner[order_id]].volume += volume
    return list(groups.values())


def _group_of(row: OrderGroupRow) -> Group:
    key = row.group_key.split("|")
    ship_day = date.fromisoformat(key[4]) if key[4] else None
    return Group(row.id, (key[0], key[1], key[2], key[3], ship_day), row.delivery_date,
                 new=False)


def _write(session: Session, groups: list[Group], rules: GroupSettings, actor: str) -> None:
    now = clock.now()
    session.add_all([
        OrderGroupRow(id=group.id, group_key=_stored_key(group), rule=describe(group, rules),
                      customer_id=group.key[0] or None, ship_to_address_id=group.key[1] or None,
                      delivery_date=group.first_date, status="open", created_at=now)
        for group in groups if group.new
    ])
    session.flush()
    each = {order_id: {"group_id": group.id} for group in groups for order_id in group.members}
    queue.transition(session, list(each), "grouped", actor=actor, detail="grouped", each=each)


def _stored_key(group: Group) -> str:
    key = "|".join(str(k or "") for k in group.key)
    return key + SEPARATE if group.separate else key


def describe(group: Group, rules: GroupSettings) -> str:
    """The rule that made the group, in words."""
    customer, ship_to, incoterms, currency, ship_day = group.key
    if group.separate:
        return f"customer {customer}: delivered separately at the customer's request"
    parts = [f"same customer {customer}", f"ship-to {ship_to or 'unknown'}",
             f"delivery from {group.first_date or 'unspecified'}"
             + (f" within {rules.delivery_window_days} day(s)" if rules.delivery_window_days
                else ""),
             f"incoterms {incoterms or 'none'}", f"currency {currency or 'none'}"]
    if ship_day:
        parts.append(f"ships {ship_day} (cut-off {rules.cutoff:%H:%M})")
    if rules.max_weight_kg is not None:
        parts.append(f"up to {rules.max_weight_kg} kg")
    if rules.max_volume_m3 is not None:
        parts.append(f"up to {rules.max_volume_m3} m3")
    return "; ".join(parts)

