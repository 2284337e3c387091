"""In-memory indexes of the master data, built once per run.

Validation looks up every customer, address and product through these dictionaries:
one read of each master-data table per run, never a query per order or per line.
:class:`History` holds what the queue itself teaches (open orders, past quantities,
purchase order numbers) and grows as the run validates orders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from robots import validation_text as text


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer account as validation needs it."""

    customer_id: str
    name: str
    vat_id: str | None = None
    siret: str | None = None
    gln: str | None = None
    email_domains: tuple[str, ...] = ()
    credit_limit: Decimal | None = None
    currency: str | None = None
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class Address:
    """A bill-to or ship-to address of a customer."""

    customer_id: str
    address_id: str
    kind: str
    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    gln: str | None = None
    key: tuple[str, str] = field(init=False, compare=False, repr=False)
    """(postal code, street) in normal form, computed once."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (text.postal_code(self.postal_code),
                                         text.street(self.street)))

    def label(self) -> str:
        """One line for people: ``A-12 Dupont Lyon, 12 rue X, 69001 Lyon``."""
        parts = [self.name, self.street, " ".join(p for p in (self.postal_code, self.city) if p)]
        return f"{self.address_id} " + ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Product:
    """A product of the price list."""

    sku: str
    gtin: str | None = None
    description: str | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    active: bool = True
    lead_time_days: int = 0
    pack_unit: str | None = None
    pack_size: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An unpaid invoice: what it still owes and when it was due."""

    customer_id: str
    invoice_id: str
    due_date: date
    open_amount: Decimal


class MasterIndex:
    """Lookups from every identifier a document may carry to master data.

    Args:
        customers: Customer accounts.
        addresses: Their bill-to and ship-to addresses.
        products: The price list.
        customer_items: (customer_id, customer's item code, sku).
        edi_partners: (partner id, customer_id).
        open_items: Unpaid invoices.
    """

    def __init__(
        self,
        *,
        customers: Iterable[Customer] = (),
        addresses: Iterable[Address] = (),
        products: Iterable[Product] = (),
        customer_items: Iterable[tuple[str, str, str]] = (),
        edi_partners: Iterable[tuple[str, str | None]] = (),
        open_items: Iterable[OpenItem] = (),
    ) -> None:
        self.customers: dict[str, Customer] = {}
        self.by_gln: dict[str, set[str]] = defaultdict(set)
        self.by_vat: dict[str, set[str]] = defaultdict(set)
        self.by_siret: dict[str, set[str]] = defaultdict(set)
        self.by_domain: dict[str, set[str]] = defaultdict(set)
        for customer in customers:
            self._add_customer(customer)
        self.addresses: dict[str, list[Address]] = defaultdict(list)
        self.by_postal_code: dict[str, set[str]] = defaultdict(set)
        for address in addresses:
            self._add_address(address)
        self.products: dict[str, Product] = {}
        self.by_gtin: dict[str, set[str]] = defaultdict(set)
        for product in products:
            self._add_product(product)
        self.customer_items = {(c, text.code(code)): sku for c, code, sku in customer_items}
        self.edi_partners = {p: c for p, c in edi_partners if c}
        self.open_items: dict[str, list[OpenItem]] = defaultdict(list)
        for item in open_items:
            self.open_items[item.customer_id].append(item)
        self._names: dict[str, str] | None = None
        self._full_names: dict[str, str] | None = None
        self._descriptions: dict[str, str] | None = None
        self._product_words: dict[str, set[str]] | None = None
        self._name_words: dict[str, set[str]] | None = None

    def _add_customer(self, c: Customer) -> None:
        self.customers[c.customer_id] = c
        for index, value in ((self.by_gln, c.gln), (self.by_vat, text.code(c.vat_id)),
                             (self.by_siret, text.code(c.siret))):
            if value:
                index[value].add(c.customer_id)
        for domain in c.email_domains:
            if domain.strip():
                self.by_domain[domain.strip().lower()].add(c.customer_id)

    def _add_address(self, a: Address) -> None:
        self.addresses[a.customer_id].append(a)
        if a.postal_code:
            self.by_postal_code[text.postal_code(a.postal_code)].add(a.customer_id)
        # A store's GLN names its customer too, but less surely than the account's own.
        if a.gln and a.customer_id not in self.by_gln.get(a.gln, ()):
            self.by_gln[a.gln].add(a.customer_id)

    def _add_product(self, p: Product) -> None:
        self.products[text.code(p.sku)] = p
        if p.gtin:
            self.by_gtin[p.gtin.lstrip("0")].add(text.code(p.sku))

    def product(self, sku: str | None) -> Product | None:
        """The product with this SKU (however it is spaced or cased)."""
        return self.products.get(text.code(sku)) if sku else None

    def products_by_gtin(self, gtin: str) -> set[str]:
        """SKUs with this GTIN (GTIN-8 to GTIN-14 compare without leading zeros)."""
        return self.by_gtin.get(gtin.lstrip("0"), set())

    def customer_names(self) -> dict[str, str]:
        """customer_id -> normalised company name (built on first use)."""
        if self._names is None:
            self._names = {cid: text.company_name(c.name) for cid, c in self.customers.items()}
        return self._names

    def customer_full_names(self) -> dict[str, str]:
        """customer_id -> folded name with its legal form (built on first use)."""
        if self._full_names is None:
            self._full_names = {cid: text.fold(c.name) for cid, c in self.customers.items()}
        return self._full_names

    def product_descriptions(self) -> dict[str, str]:
        """sku key -> folded description, for suggestions (built on first use)."""
        if self._descriptions is None:
            self._descriptions = {
                k: text.fold(p.description) for k, p in self.products.items()
                if p.description and p.active
            }
        return self._descriptions

    def similar_products(self, description: str) -> dict[str, str]:
        """Active products sharing a rare word with ``description`` (sku key -> folded
        description): the few candidates a similarity scorer then ranks."""
        if self._product_words is None:
            self._product_words = _word_index(self.product_descriptions())
        return _sharing_words(description, self._product_words, self.product_descriptions())

    def similar_customers(self, name: str) -> dict[str, str]:
        """Customers sharing a rare word with ``name`` (id -> normalised name)."""
        if self._name_words is None:
            self._name_words = _word_index(self.customer_names())
        return _sharing_words(name, self._name_words, self.customer_names())

    def ship_tos(self, customer_id: str) -> list[Address]:
        """The customer's ship-to addresses."""
        return [a for a in self.addresses.get(customer_id, ()) if a.kind == "ship_to"]

    def bill_tos(self, customer_id: str) -> list[Address]:
        """The customer's bill-to addresses."""
        return [a for a in self.addresses.get(customer_id, ()) if a.kind == "bill_to"]


_CANDIDATES = 400


def _word_index(texts: dict[str, str]) -> dict[str, set[str]]:
    words: dict[str, set[str]] = defaultdict(set)
    for key, value in texts.items():
        for word in value.split():
            if len(word) > 2:
                words[word].add(key)
    return words


def _sharing_words(wanted: str, words: dict[str, set[str]], texts: dict[str, str]
                   ) -> dict[str, str]:
    # Rare words first: they say the most, and keep the candidate set small.
    postings = sorted((words[w] for w in set(wanted.split()) if w in words), key=len)
    keys: set[str] = set()
    for posting in postings:
        if len(keys) >= _CANDIDATES:
            break
        keys |= set(list(posting)[:_CANDIDATES])
    return {k: texts[k] for k in keys}


@dataclass(slots=True)
class PastOrder:
    """An order already in the queue, as duplicate, quantity and credit checks see it.

    Attributes:
        counted: (sku, quantity) of its lines counted in the quantity history: those of
            accepted orders only.
    """

    order_id: str
    customer_id: str
    buyer_order_number: str
    status: str
    day: date | None
    fingerprint: tuple[tuple[str, Decimal], ...] = ()
    total: Decimal = Decimal(0)
    ship_to: str | None = None
    counted: tuple[tuple[str, Decimal], ...] = ()

    @property
    def content_key(self) -> tuple[str, str | None, tuple[tuple[str, Decimal], ...]]:
        """(customer, ship-to, lines): what makes two orders the same order."""
        return (self.customer_id, self.ship_to, self.fingerprint)

    @property
    def state(self) -> tuple[object, ...]:
        """What a refresh compares with the database row (everything but the lines,
        which only change with the status)."""
        return (self.customer_id, self.buyer_order_number, self.status, self.day, self.total,
                self.ship_to)

    @property
    def accepted(self) -> bool:
        """Validated, or further on the way to an invoice."""
        return self.status in EXPOSED_STATES


@dataclass
class History:
    """What the queue already holds, for duplicates, quantities and credit exposure.

    Attributes:
        orders: Live orders (not rejected or cancelled) by id.
        by_customer: customer_id -> its order ids.
        by_po: (customer_id, buyer order number) -> order ids.
        by_fingerprint: (customer_id, ship-to, lines fingerprint) -> order ids.
        quantities: (customer_id, sku) -> [line count, quantity sum].
        product_quantities: sku -> [line count, quantity sum] over every customer.
        exposure: customer_id -> totals of validated, grouped and released orders.
    """

    orders: dict[str, PastOrder] = field(default_factory=dict)
    by_customer: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_po: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    by_fingerprint: dict[tuple[str, str | None, tuple[tuple[str, Decimal], ...]], set[str]] = field(
        default_factory=lambda: defaultdict(set))
    quantities: dict[tuple[str, str], list[Decimal]] = field(default_factory=dict)
    product_quantities: dict[str, list[Decimal]] = field(default_factory=dict)
    exposure: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, order: PastOrder) -> None:
        """Record an order (replacing what was known of it)."""
        self.remove(order.order_id)
        self.orders[order.order_id] = order
        self.by_customer[order.customer_id].add(order.order_id)
        self.by_po[(order.customer_id, order.buyer_order_number)].add(order.order_id)
        if order.fingerprint:
            self.by_fingerprint[order.content_key].add(order.order_id)
        if order.accepted:
            self.exposure[order.customer_id] += order.total
        for sku, quantity in order.counted:
            self.add_quantity(order.customer_id, sku, quantity)

    def remove(self, order_id: str) -> PastOrder | None:
        """Forget an order (it is being validated again, or was cancelled); returns what
        was known of it."""
        old = self.orders.pop(order_id, None)
        if old is None:
            return None
        self.by_customer[old.customer_id].discard(order_id)
        self.by_po[(old.customer_id, old.buyer_order_number)].discard(order_id)
        self.by_fingerprint.get(old.content_key, set()).discard(order_id)
        if old.accepted:
            self.exposure[old.customer_id] -= old.total
        for sku, quantity in old.counted:
            self.add_quantity(old.customer_id, sku, -quantity, lines=-1)
        return old

    def add_quantity(self, customer_id: str, sku: str, quantity: Decimal, lines: int = 1
                     ) -> None:
        """Count one more line of the customer for the product (``lines=-1``: one less)."""
        for stats in (self.quantities.setdefault((customer_id, sku), [Decimal(0), Decimal(0)]),
                      self.product_quantities.setdefault(sku, [Decimal(0), Decimal(0)])):
            stats[0] += lines
            stats[1] += quantity

    def average_quantity(self, customer_id: str, sku: str) -> tuple[int, Decimal | None]:
        """(number of past lines, average quantity) of the customer for the product."""
        return _average(self.quantities.get((customer_id, sku)))

    def product_average(self, sku: str) -> tuple[int, Decimal | None]:
        """(number of past lines, average quantity) of the product over every customer."""
        return _average(self.product_quantities.get(sku))


def _average(stats: list[Decimal] | None) -> tuple[int, Decimal | None]:
    if not stats or not stats[0]:
        return 0, None
    return int(stats[0]), stats[1] / stats[0]


#: Orders whose value counts in credit exposure: accepted but not yet invoiced.
EXPOSED_STATES = frozenset({"validated", "grouped", "released"})
