"""The indexes candidates come from: never all pairs of payments and invoices.

:class:`Ledger` holds the open items with their running open amounts (what this run has
already applied is taken off), and looks invoices up by id, by customer in due-date
order, and by open amount. Reference and payer indexes sit beside it.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable
from decimal import Decimal

from matching.book import Customer, Habit, OpenItem, PayerAlias
from matching.payers import PayerIndex
from matching.references import ReferenceIndex

ZERO = Decimal(0)
_DUE = operator.attrgetter("due_date", "invoice_id")


class Ledger:
    """Open items, customers and the indexes over them, for one matching run.

    Args:
        customers: The customer accounts.
        items: Every invoice known, paid ones (``open_amount`` 0) included so that a
            payment of an already paid invoice is recognised.
        aliases: Learned payer aliases.
        habits: Learned reference habits.
        own_ibans: Our own accounts.
    """

    def __init__(
        self,
        customers: Iterable[Customer],
        items: Iterable[OpenItem],
        aliases: Iterable[PayerAlias] = (),
        habits: Iterable[Habit] = (),
        own_ibans: Iterable[str] = (),
    ) -> None:
        self.customers = {c.customer_id: c for c in customers}
        self.items: dict[str, OpenItem] = {}
        self.open: dict[str, Decimal] = {}
        self.by_customer: dict[str, list[OpenItem]] = {}
        self.by_amount: dict[tuple[str, Decimal], list[str]] = {}
        #: Per customer, its invoices by (currency, open amount), built when first asked.
        self._amounts_of: dict[str, dict[tuple[str, Decimal], list[str]]] = {}
        self._open_lists: dict[tuple[str, str], list[OpenItem]] = {}
        self._open_counts: dict[tuple[str, str], int] = {}
        #: Beside each open list: the open amounts in thousandths, and where each item is.
        self._open_values: dict[tuple[str, str], list[int]] = {}
        self._positions: dict[str, int] = {}
        self._amounts: dict[tuple[str, str], list[float]] = {}
        self.paid_by: dict[str, list[str]] = {}
        self._index(items)
        self.references = ReferenceIndex((i.invoice_id, i.reference) for i in self.items.values())
        self.payers = PayerIndex(self.customers.values(), aliases, own_ibans)
        self.tail_habits: dict[str, set[int]] = {}
        self.token_habits: dict[tuple[str, str], str] = {}
        self.customer_tokens: dict[str, str] = {}
        for habit in habits:
            self.learn_habit(habit)

    def _index(self, items: Iterable[OpenItem]) -> None:
        """Fill every index over the items (hot at 300,000 items)."""
        items = list(items)
        # Comprehensions where no grouping is needed: several times cheaper than a loop.
        self.items.update({i.invoice_id: i for i in items})
        self.open.update({i.invoice_id: i.open_amount for i in items})
        by_customer, by_amount = self.by_customer, self.by_amount
        for item in items:
            listed = by_customer.get(item.customer_id)
            if listed is None:
                by_customer[item.customer_id] = [item]
            else:
                listed.append(item)
        for item in items:
            amount = item.open_amount
            if amount > ZERO:
                key = (item.currency, amount)
                same = by_amount.get(key)
                if same is None:
                    by_amount[key] = [item.invoice_id]
                else:
                    same.append(item.invoice_id)
        currencies = {i.currency for i in items if i.open_amount > ZERO}
        self.currencies = currencies

    def learn_habit(self, habit: Habit) -> None:
        """Remember how one customer writes references."""
        if habit.kind == "tail" and habit.value.isdigit():
            self.tail_habits.setdefault(habit.customer_id, set()).add(int(habit.value))
        elif habit.kind == "token" and habit.invoice_id:
            self.token_habits[(habit.customer_id, habit.value.upper())] = habit.invoice_id
        elif habit.kind == "token":
            self.customer_tokens[habit.value.upper()] = habit.customer_id

    def open_items_of(
        self, customer_id: str, currency: str, limit: int | None = None
    ) -> list[OpenItem]:
        """The customer's invoices still open in ``currency``, oldest due first.

        Args:
            limit: At most this many (the oldest): a large account has thousands.
        """
        return self.oldest_open(customer_id, currency, limit)[0]

    def oldest_open(
        self, customer_id: str, currency: str, limit: int | None = None
    ) -> tuple[list[OpenItem], list[int]]:
        """:meth:`open_items_of`, with each open amount in thousandths beside it.

        Window and subset searches add these integers: converting the decimals of a
        large account at every payment was a third of their time.
        """
        key = (customer_id, currency)
        cached = self._open_lists.get(key)
        if cached is None:
            cached = self._open_list(key)
        values = self._open_values[key]
        if limit is None:
            head, head_values = list(cached), list(values)
        else:
            head, head_values = cached[:limit], values[:limit]
        if 0 not in head_values:  # nothing paid among the oldest: the common case
            return head, head_values
        found: list[OpenItem] = []
        kept: list[int] = []
        skipped = 0
        for item, value in zip(cached, values, strict=True):
            if value > 0:
                found.append(item)
                kept.append(value)
                if len(found) == limit:
                    break
            else:
                skipped += 1
        if skipped > 32:
            self._compact(key)
        return found, kept

    def _open_list(self, key: tuple[str, str]) -> list[OpenItem]:
        """The customer's open items in one currency, due-date order (built once per run).

        Open amounts only go down, so the list stays a superset of what is open. Sorted
        when first asked: most customers never are in a run. Beside it, each item's open
        amount in thousandths, kept up to date by :meth:`apply`.
        """
        customer_id, currency = key
        opened = self.open
        listed = sorted(self.by_customer.get(customer_id, ()), key=_DUE)
        cached = [i for i in listed if i.currency == currency and opened[i.invoice_id] > ZERO]
        self._open_lists[key] = cached
        self._open_values[key] = [int(opened[i.invoice_id].scaleb(3)) for i in cached]
        self._positions.update({i.invoice_id: k for k, i in enumerate(cached)})
        self._open_counts[key] = len(cached)
        return cached

    def _compact(self, key: tuple[str, str]) -> None:
        """Paid items gather at the front (oldest first): drop them once for all."""
        pairs = list(zip(self._open_lists[key], self._open_values[key], strict=True))
        for item, value in pairs:
            if value <= 0:
                del self._positions[item.invoice_id]
        kept = [(i, v) for i, v in pairs if v > 0]
        self._open_lists[key] = [i for i, _ in kept]
        self._open_values[key] = [v for _, v in kept]
        self._positions.update({i.invoice_id: k for k, (i, _) in enumerate(kept)})

    def open_count(self, customer_id: str, currency: str) -> int:
        """How many of the customer's invoices are still open in ``currency``."""
        key = (customer_id, currency)
        count = self._open_counts.get(key)
        if count is None:
            # Counted, not sorted: a large account need not be put in order to be known large.
            opened = self.open
            count = self._open_counts[key] = sum(
                1 for i in self.by_customer.get(customer_id, ())
                if i.currency == currency and opened[i.invoice_id] > ZERO)
        return count

    def customer_items_of_amount(
        self, customer_id: str, currency: str, amount: Decimal
    ) -> list[OpenItem]:
        """The customer's invoices whose open amount is exactly ``amount``."""
        amounts = self._amounts_of.get(customer_id)
        if amounts is None:
            # Grouped when first asked: most customers never are in a run, and the
            # amounts read are those the items arrived with (open amounts only go down).
            amounts = self._amounts_of[customer_id] = {}
            for item in self.by_customer.get(customer_id, ()):
                if item.open_amount > ZERO:
                    amounts.setdefault((item.currency, item.open_amount), []).append(
                        item.invoice_id)
        ids = amounts.get((currency, amount), ())
        return [self.items[i] for i in ids if self.open[i] == amount]

    def has_amount_between(
        self, customer_id: str, currency: str, low: float, high: float
    ) -> bool:
        """Whether one of the customer's invoices was open for about [low, high].

        A bisection in the customer's amounts, sorted once per run, to rule out
        candidates before exact look-ups (:meth:`customer_items_of_amount`): binary
        floats, so callers widen the range by a cent or more.
        """
        key = (customer_id, currency)
        amounts = self._amounts.get(key)
        if amounts is None:
            amounts = sorted(float(i.open_amount) for i in self.by_customer.get(customer_id, ())
                             if i.currency == currency and i.open_amount > ZERO)
            self._amounts[key] = amounts
        at = bisect.bisect_left(amounts, low)
        return at < len(amounts) and amounts[at] <= high

    def with_amount(self, currency: str, amount: Decimal) -> list[str]:
        """Invoices whose open amount is exactly ``amount`` (and still open)."""
        ids = self.by_amount.get((currency, amount), ())
        return [i for i in ids if self.open[i] == amount]

    def apply(self, invoice_id: str, amount: Decimal, transaction_ref: str) -> None:
        """Take an automatic application off the invoice's running open amount."""
        left = self.open[invoice_id] - amount
        self.open[invoice_id] = left
        paid = self.paid_by.get(invoice_id)
        if paid is None:
            self.paid_by[invoice_id] = [transaction_ref]
        else:
            paid.append(transaction_ref)
        at = self._positions.get(invoice_id)
        if at is not None:
            item = self.items[invoice_id]
            self._open_values[(item.customer_id, item.currency)][at] = int(left.scaleb(3))
        if left <= ZERO:
            item = self.items[invoice_id]
            key = (item.customer_id, item.currency)
            if key in self._open_counts:
                self._open_counts[key] -= 1
