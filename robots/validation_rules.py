"""The checks on a resolved order: each a pure function from the order to findings.

Every rule reads a :class:`Context` (the order, what resolution found, the indexes,
the settings and today's date) and returns typed findings; none touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hub.model import Order
from hub.queue import Finding
from robots.validation_index import Customer, History, MasterIndex
from robots.validation_products import ResolvedLine
from robots.validation_settings import ValidateSettings

_HUNDRED = Decimal(100)


@dataclass
class Context:
    """Everything one order's checks may read.

    Attributes:
        order_id: The order's id in the queue.
        order: The canonical order.
        customer: The resolved customer, or ``None``.
        lines: The resolved lines.
        currency: The order's currency (stated, or the customer's).
        index: Master data.
        history: The queue's past orders.
        settings: The rules.
        today: The date validation runs on (company time zone).
    """

    order_id: str
    order: Order
    customer: Customer | None
    lines: list[ResolvedLine]
    currency: str | None
    index: MasterIndex
    history: History
    settings: ValidateSettings
    today: date
    fingerprint: tuple[tuple[str, Decimal], ...] = field(default=())
    ship_to: str | None = None


Rule = Callable[[Context], list[Finding]]


def line_value(line: ResolvedLine) -> Decimal | None:
    """The line's value: stated amount, else quantity x ordered or list price."""
    if line.line.line_amount is not None:
        return line.line.line_amount
    if line.line.unit_price is not None:
        return line.line.quantity * line.line.unit_price
    if line.product is not None and line.product.unit_price is not None:
        return line.quantity * line.product.unit_price
    return None


def order_value(lines: list[ResolvedLine]) -> Decimal:
    """The order's value for credit: the sum of the line values that are known."""
    return sum((v for v in map(line_value, lines) if v is not None), Decimal(0))


def fingerprint(lines: list[ResolvedLine]) -> tuple[tuple[str, Decimal], ...]:
    """What the order orders, independent of line numbers: sorted (sku, quantity)."""
    if any(line.product is None for line in lines):
        return ()
    return tuple(sorted((line.sku or "", line.quantity.normalize()) for line in lines))


# --- mandatory data -------------------------------------------------------------------


def check_mandatory(ctx: Context) -> list[Finding]:
    """Buyer order number, at least one line, quantities above zero, a currency."""
    findings: list[Finding] = []
    if not ctx.order.buyer_order_number.strip():
        findings.append(Finding("MISSING_FIELD", "the order has no buyer order number",
                                field="buyer_order_number", expected="the customer's PO number",
                                found="empty", suggestion="ask the customer for the PO number"))
    if not ctx.order.lines:
        findings.append(Finding("MISSING_FIELD", "the order has no lines", field="lines",
                                expected="at least one line", found="none"))
    for line in ctx.order.lines:
        if line.quantity <= 0:
            findings.append(Finding(
                "INVALID_VALUE", f"line {line.line_number} orders a quantity of {line.quantity}",
                field=f"lines[{line.line_number}].quantity", expected="a quantity above 0",
                found=str(line.quantity), suggestion="correct the quantity or remove the line"))
    findings += _check_currency(ctx)
    return findings


def _check_currency(ctx: Context) -> list[Finding]:
    account = ctx.customer.currency if ctx.customer else None
    if ctx.currency is None:
        return [Finding("MISSING_FIELD", "the order states no currency", field="currency",
                        expected=account or "an ISO 4217 currency", found="none",
                        suggestion=f"set {account}" if account else "ask the customer")]
    if account and ctx.currency != account:
        return [Finding("INVALID_VALUE", f"the order is in {ctx.currency}, the account in "
                        f"{account}", field="currency", expected=account, found=ctx.currency,
                        suggestion=f"confirm {ctx.currency} with the customer or use {account}")]
    return []


# --- delivery dates ------------------------------------------------------------------


def check_delivery_dates(ctx: Context) -> list[Finding]:
    """Requested dates not in the past and not sooner than each product's lead time."""
    if not ctx.settings.check_delivery_dates:
        return []
    worst: dict[str, tuple[date, date, str]] = {}
    header = ctx.order.requested_delivery_date
    if header is not None and header < ctx.today:
        worst["requested_delivery_date"] = (ctx.today, header, "is in the past")
    for line in ctx.lines:
        wanted = line.line.requested_delivery_date or header
        field_name = (f"{line.path}.requested_delivery_date"
                      if line.line.requested_delivery_date else "requested_delivery_date")
        if wanted is None or (field_name in worst and worst[field_name][2] == "is in the past"):
            continue
        lead = line.product.lead_time_days if line.product else 0
        earliest = ctx.today + timedelta(days=lead)
        if wanted < earliest and (field_name not in worst or worst[field_name][0] < earliest):
            why = "is in the past" if wanted < ctx.today else (
                f"is sooner than the {lead}-day lead time of {line.sku}")
            worst[field_name] = (earliest, wanted, why)
    return [Finding("DELIVERY_DATE_INVALID", f"the requested delivery date {found} {why}",
                    field=name, expected=f">= {earliest.isoformat()}", found=found.isoformat(),
                    suggestion=f"propose {earliest.isoformat()} to the customer")
            for name, (earliest, found, why) in worst.items()]


# --- prices and totals ---------------------------------------------------------------


def check_prices(ctx: Context) -> list[Finding]:
    """Ordered unit prices within the customer's tolerance of the price list."""
    tolerance = ctx.settings.price_tolerance_for(ctx.customer.customer_id if ctx.customer
                                                 else None)
    findings = []
    for line in ctx.lines:
        product = line.product
        if product is None or product.unit_price is None or line.unit_price is None:
            continue
        if product.currency and ctx.currency and product.currency != ctx.currency:
            continue  # the currency rule already speaks for this order
        listed = product.unit_price
        gap = abs(line.unit_price - listed)
        if gap * _HUNDRED > tolerance * listed:
            pct = (gap * _HUNDRED / listed).quantize(Decimal("0.1")) if listed else None
            findings.append(Finding(
                "PRICE_MISMATCH", f"line {line.line.line_number}: {line.unit_price.normalize()} "
                f"per {line.unit or 'unit'} differs from the list price {listed} by {pct}%",
                field=f"{line.path}.unit_price",
                expected=f"{listed} per {line.unit or 'unit'} (+/- {tolerance}%)",
                found=str(line.line.unit_price), suggestion=f"confirm the customer's price or "
                f"correct it to {listed}"))
    return findings


def check_totals(ctx: Context) -> list[Finding]:
    """Stated line amounts and the order total agree with quantities and prices."""
    tol = ctx.settings.amount_tolerance
    findings = []
    for line in ctx.order.lines:
        if line.line_amount is None or line.unit_price is None:
            continue
        computed = line.quantity * line.unit_price
        if abs(computed - line.line_amount) > tol:
            findings.append(Finding(
                "INVALID_VALUE", f"line {line.line_number}: amount {line.line_amount} is not "
                f"{line.quantity} x {line.unit_price}", field=f"lines[{line.line_number}]"
                ".line_amount", expected=str(computed), found=str(line.line_amount),
                suggestion="check the quantity, the unit price and the amount"))
    stated = ctx.order.total_amount
    values = [line_value(line) for line in ctx.lines]
    if stated is not None and values and None not in values:
        total = sum((v for v in values if v is not None), Decimal(0))
        if abs(total - stated) > tol * len(values):
            findings.append(Finding(
                "INVALID_VALUE", f"the stated total {stated} is not the sum of the lines {total}",
                field="total_amount", expected=str(total), found=str(stated),
                suggestion="check for a missing or extra line"))
    return findings


# --- confidence, quantities, duplicates ------------------------------------------------


def check_confidence(ctx: Context) -> list[Finding]:
    """Fields the extraction was not sure of, each named."""
    floor = ctx.settings.min_confidence
    return [Finding("LOW_CONFIDENCE", f"{name} was read with confidence {value:.2f}",
                    field=name, expected=f">= {floor:.2f}", found=f"{value:.2f}",
                    suggestion="compare the field with the original document")
            for name, value in sorted(ctx.order.confidence.items()) if value < floor]


def check_quantities(ctx: Context) -> list[Finding]:
    """Quantities far from what the customer usually orders of the product; when the
    customer's own history is thin or absent, far from the product's usual lines."""
    if ctx.customer is None:
        return []
    findings = []
    for line in ctx.lines:
        if line.product is None or line.quantity <= 0:
            continue
        usual = usual_quantity(ctx, line.product.sku)
        if usual is None:
            continue
        average, factor, whose = usual
        if line.quantity > average * factor or line.quantity * factor < average:
            about = average.quantize(Decimal("0.01")).normalize()
            findings.append(Finding(
                "QUANTITY_ANOMALY",
                f"line {line.line.line_number}: {line.quantity} {line.unit or ''} of "
                f"{line.product.sku}, {whose} about {about}",
                field=f"{line.path}.quantity", expected=f"about {about} (x/÷ {factor})",
                found=str(line.quantity), suggestion="confirm the quantity with the customer"))
    return findings


def usual_quantity(ctx: Context, sku: str) -> tuple[Decimal, Decimal, str] | None:
    """(average line, allowed factor, whose lines) a quantity of ``sku`` is judged by.

    The customer's own lines first, with the full factor once there are
    ``quantity_history_min`` of them and a wider one below; with none, the product's
    lines over every customer with the widest factor; ``None`` when nothing is known.
    """
    rules = ctx.settings
    assert ctx.customer is not None
    count, average = ctx.history.average_quantity(ctx.customer.customer_id, sku)
    if average and count >= rules.quantity_history_min:
        return average, rules.quantity_anomaly_factor, "the customer usually orders"
    if average and count > 0:
        return (average, rules.thin_history_anomaly_factor,
                f"the customer's {count} earlier line(s) ordered")
    count, average = ctx.history.product_average(sku)
    if average and count >= rules.product_history_min:
        return average, rules.product_anomaly_factor, "customers usually order"
    return None


def check_duplicates(ctx: Context) -> list[Finding]:
    """An earlier or already accepted live order of the customer with the same PO, or
    with the same lines to the same ship-to within the window (a document resent by
    another channel)."""
    if ctx.customer is None:
        return []
    cid, history = ctx.customer.customer_id, ctx.history
    earlier = sorted(i for i in history.by_po.get((cid, ctx.order.buyer_order_number), ())
                     if _comes_first(ctx, i))
    if earlier:
        return [Finding("DUPLICATE_ORDER", f"PO {ctx.order.buyer_order_number} was already "
                        f"ordered as {earlier[0]}", field="buyer_order_number",
                        expected="a new PO number", found=ctx.order.buyer_order_number,
                        suggestion=f"reject as a duplicate of {earlier[0]}, or confirm")]
    return _same_content(ctx)


def _comes_first(ctx: Context, other_id: str) -> bool:
    """Of two copies, the earlier one is kept; but a copy already accepted (perhaps by
    another worker, while this one waited) is kept whatever its id."""
    if other_id == ctx.order_id:
        return False
    return other_id < ctx.order_id or ctx.history.orders[other_id].accepted


def _same_content(ctx: Context) -> list[Finding]:
    if not ctx.fingerprint or ctx.customer is None:
        return []
    window = timedelta(days=ctx.settings.duplicate_window_days)
    day = ctx.order.order_date or ctx.today
    for other_id in sorted(ctx.history.by_fingerprint.get(
            (ctx.customer.customer_id, ctx.ship_to, ctx.fingerprint), ())):
        other = ctx.history.orders[other_id]
        if _comes_first(ctx, other_id) and other.day and abs(other.day - day) <= window:
            return [Finding(
                "DUPLICATE_ORDER", f"the same lines were ordered on {other.day} as "
                f"{other_id} (PO {other.buyer_order_number})", field="lines",
                expected=f"no identical order within {ctx.settings.duplicate_window_days} days",
                found=f"same as {other_id}", suggestion=f"reject as a duplicate of {other_id}, "
                "or confirm a repeat order")]
    return []


#: The order checks, run in this order on every resolved order.
RULES: tuple[Rule, ...] = (
    check_mandatory, check_confidence, check_delivery_dates, check_prices, check_totals,
    check_quantities, check_duplicates,
)
