"""A realistic cash-application scenario: customers, open items, statements and the truth.

Payments come in every shape finance meets: invoice numbers written properly, without
prefix or zeros, with OCR and typing errors, wrapped across lines, creditor references,
several invoices per payment, payments with no reference at all, partial payments,
early-payment discounts, bank charges, deductions, overpayments, duplicates, payments
through factors and payment providers, names mangled by banks; plus the lines that are no
customer receipts at all. The truth says, for every bank reference, which invoices it
pays and whether the payment carries enough information to be matched without a human.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from scenario import (
    FORMS,
    INVOICE_WORDS,
    OUR_IBAN,
    OUR_OTHER_IBAN,
    PLACES,
    START,
    SURNAMES,
    TRADES,
    Scenario,
    Truth,
)
from schwifty import IBAN

from matching.references import make_rf
from matching.statements.model import BankTransaction
from matching.subsets import exact_subsets

CENT = Decimal("0.01")

@dataclass(eq=False)
class _Item:
    invoice_id: str
    customer_id: str
    issue_date: date
    due_date: date
    currency: str
    amount: Decimal
    open_amount: Decimal
    reference: str


@dataclass
class _Customer:
    customer_id: str
    name: str
    ibans: list[str]
    rep: str
    items: list[_Item] = field(default_factory=list)


class Generator:
    """Builds a :class:`Scenario`; the same seed gives the same scenario."""

    def __init__(self, customers: int, items: int, payments: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.n_customers, self.n_items, self.n_payments = customers, items, payments
        self.scenario = Scenario()
        self.customers: list[_Customer] = []
        self.free: list[_Item] = []
        self.taken: set[str] = set()
        self.sequence = 0
        self.parents: list[tuple[str, str]] = []

    # --- master data -------------------------------------------------------------------

    def build(self) -> Scenario:
        """Master data, then payments, then non-customer lines, shuffled by day."""
        self._customers()
        self._items()
        self._payments()
        self._noise()
        self._item_rows()
        txs = self.scenario.transactions
        self.rng.shuffle(txs)
        txs.sort(key=lambda t: t.booking_date)
        return self.scenario

    def _customers(self) -> None:
        rng, seen = self.rng, set()
        for k in range(self.n_customers):
            while True:
                name = (f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} {rng.choice(PLACES)} "
                        f"{rng.choice(FORMS)}")
                if name not in seen:
                    seen.add(name)
                    break
            ibans = [self._iban() for _ in range(rng.choice((0, 1, 1, 1, 2)))]
            customer = _Customer(f"C{k + 1:06d}", name, ibans, f"rep{k % 37:02d}")
            self.customers.append(customer)
            self.scenario.customers.append({
                "customer_id": customer.customer_id, "name": name, "vat_id": "", "siret": "",
                "gln": "", "ibans": "|".join(ibans), "email_domains": "", "credit_limit": "",
                "currency": "EUR", "payment_terms_days": "30", "sales_rep": customer.rep,
            })
        for k in range(max(2, self.n_customers // 200)):
            parent = f"{rng.choice(SURNAMES).upper()} GROUP HOLDING {k}"
            iban = self._iban()
            self.parents.append((parent, iban))
            for child in rng.sample(self.customers, 3):
                self.scenario.history.append({"payer_name": parent, "payer_iban": iban,
                                              "customer_id": child.customer_id})

    def _iban(self) -> str:
        account = f"{self.rng.randrange(10**10):011d}"
        return str(IBAN.generate("FR", bank_code=f"{self.rng.randrange(10000, 99999)}",
                                 account_code=account).compact)

    def _items(self) -> None:
        rng = self.rng
        weights = [rng.paretovariate(1.3) for _ in self.customers]
        owners = rng.choices(self.customers, weights=weights, k=self.n_items)
        for owner in owners:
            self.sequence += 1
            scheme = rng.random()
            if scheme < 0.85:
                invoice_id = f"FV-26-{self.sequence:06d}"
            else:
                invoice_id = f"INV{self.sequence + 500000:07d}"
            amount = self._amount(owner)
            issued = START - timedelta(days=rng.randrange(5, 90))
            paid = rng.random() < 0.01
            item = _Item(
                invoice_id, owner.customer_id, issued,
                issued + timedelta(days=rng.choice((30, 45, 60))), "EUR", amount,
                Decimal(0) if paid else amount,
                make_rf(invoice_id.replace("-", "")) if rng.random() < 0.3 else "",
            )
            owner.items.append(item)
            if not paid:
                self.free.append(item)
        for owner in self.customers:
            owner.items.sort(key=lambda i: (i.due_date, i.invoice_id))
        rng.shuffle(self.free)

    def _item_rows(self) -> None:
        for owner in self.customers:
            for item in owner.items:
                self.scenario.open_items.append({k: str(v) for k, v in vars(item).items()})

    def _amount(self, owner: _Customer) -> Decimal:
        if owner.items and self.rng.random() < 0.08:
            return owner.items[-1].amount
        value = Decimal(str(round(self.rng.lognormvariate(6.5, 1.2), 2)))
        return max(value, Decimal("15.00")).quantize(CENT)

    # --- payments ----------------------------------------------------------------------

    KINDS = (
        ("ref_exact", 33), ("ref_sloppy", 12), ("ref_ocr", 3), ("ref_typo", 3),
        ("ref_wrapped", 3), ("rf", 8), ("multi_named", 8), ("multi_window", 3),
        ("payer_amount", 6), ("partial", 3), ("discount", 3), ("bank_charges", 2),
        ("deduction", 2), ("overpayment", 1), ("duplicate", 1.5), ("third_party", 3),
        ("no_info", 2), ("fuzzy_name", 2.5), ("paid_again", 1),
    )

    def _payments(self) -> None:
        names, weights = zip(*self.KINDS, strict=True)
        made = 0
        while made < self.n_payments and self.free:
            kind = self.rng.choices(names, weights=weights)[0]
            made += getattr(self, f"_pay_{kind}")()

    def _take(self, *, unique_amount: bool = False) -> _Item | None:
        while self.free:
            item = self.free.pop()
            if item.invoice_id in self.taken:
                continue
            self.taken.add(item.invoice_id)
            if not unique_amount:
                return item
            owner = self._owner(item)
            same = [i for i in owner.items if i.open_amount == item.open_amount]
            if len(same) == 1:
                return item
        return None

    def _owner(self, item: _Item) -> _Customer:
        return self.customers[int(str(item.customer_id)[1:]) - 1]

    def _day(self) -> date:
        return START + timedelta(days=self.rng.randrange(0, 28))

    def _emit(self, kind: str, amount: Decimal, invoices: tuple[str, ...], achievable: bool,
              *, day: date | None = None, **fields: Any) -> None:
        ref = f"{len(self.scenario.truth) + 1:07d}"
        tx = BankTransaction(account=OUR_IBAN, bank_reference=ref,
                             booking_date=day or self._day(), amount=amount, currency="EUR",
                             end_to_end_id=f"E2E{ref}", **fields)
        self.scenario.transactions.append(tx)
        self.scenario.truth[ref] = Truth(kind, invoices, achievable)

    def _payer(self, owner: _Customer, *, iban: bool = True) -> dict[str, Any]:
        """Payer name as the bank writes it and, mostly, an IBAN we know."""
        name = self._bank_name(owner.name)
        if iban and owner.ibans and self.rng.random() < 0.8:
            return {"payer_name": name, "payer_iban": self.rng.choice(owner.ibans)}
        return {"payer_name": name, "payer_iban": self._iban()}

    def _bank_name(self, name: str) -> str:
        shape = self.rng.random()
        if shape < 0.3:
            return name
        flat = "".join(c for c in unicodedata.normalize("NFKD", name)
                       if not unicodedata.combining(c)).upper()
        if shape < 0.6:
            return flat[:35]
        words = flat.split()
        if shape < 0.85:
            return " ".join(words[:-1] if words[-1] in ("SAS", "SARL", "SA", "GMBH") else words)
        return f"{words[-1]} {' '.join(words[:-1])}"[:35]

    def _write(self, invoice_id: str, style: str) -> str:
        """An invoice number as a customer types it."""
        rng = self.rng
        digits = "".join(c for c in invoice_id if c.isdigit())
        head = "" if invoice_id.startswith("INV") else "FV"
        if style == "exact":
            return invoice_id
        if style == "sloppy":
            return rng.choice([
                invoice_id.replace("-", ""), invoice_id.replace("-", "/"),
                invoice_id.replace("-", " "), f"26-{int(digits[2:])}" if head else digits,
                f"{head}{digits[:2]}-{int(digits[2:])}" if head else str(int(digits)),
                digits if head else invoice_id.lower(),
            ])
        if style == "ocr":
            table = {"0": "O", "1": "I", "5": "S", "8": "B"}
            spots = [k for k, c in enumerate(invoice_id) if c in table]
            chars = list(invoice_id)
            for k in rng.sample(spots, min(2, len(spots))):
                chars[k] = table[chars[k]]
            return "".join(chars)
        if style == "typo":
            chars = list(invoice_id)
            k = max(k for k, c in enumerate(chars) if c.isdigit()) - rng.randrange(0, 3)
            chars[k] = str((int(chars[k]) + rng.randrange(1, 9)) % 10)
            return "".join(chars)
        raise ValueError(style)

    def _text(self, *numbers: str) -> str:
        word = self.rng.choice(INVOICE_WORDS)
        return f"{word} {' '.join(numbers)}".strip()

    def _pay_ref(self, style: str, kind: str) -> int:
        item = self._take()
        if item is None:
            return 0
        owner, amount = self._owner(item), item.open_amount
        text = self._text(self._write(item.invoice_id, style))
        payer = self._payer(owner, iban=True) if style != "typo" else {
            "payer_name": owner.name, "payer_iban": owner.ibans[0] if owner.ibans else None}
        self._emit(kind, amount, (item.invoice_id,), True,
                   remittance=text, **payer)
        return 1

    def _pay_ref_exact(self) -> int:
        return self._pay_ref("exact", "ref_exact")

    def _pay_ref_sloppy(self) -> int:
        return self._pay_ref("sloppy", "ref_sloppy")

    def _pay_ref_ocr(self) -> int:
        return self._pay_ref("ocr", "ref_ocr")

    def _pay_ref_typo(self) -> int:
        return self._pay_ref("typo", "ref_typo")

    def _pay_ref_wrapped(self) -> int:
        item = self._take()
        if item is None:
            return 0
        invoice_id = item.invoice_id
        lead = "PAIEMENT DE NOS FACTURES DU MOIS SELON RELEVE N " + invoice_id
        cut = len(lead) - self.rng.randrange(2, 5)
        text = lead[:cut] + "\n" + lead[cut:] + " MERCI"
        self._emit("ref_wrapped", item.open_amount, (invoice_id,), True,
                   remittance=text, **self._payer(self._owner(item)))
        return 1

    def _pay_rf(self) -> int:
        item = self._take()
        if item is None:
            return 0
        invoice_id = item.invoice_id
        reference = item.reference or make_rf(invoice_id.replace("-", ""))
        item.reference = reference
        self._emit("rf", item.open_amount, (invoice_id,), True,
                   structured_reference=reference, **self._payer(self._owner(item)))
        return 1

    def _pay_multi_named(self) -> int:
        first = self._take()
        if first is None:
            return 0
        owner = self._owner(first)
        others = [i for i in owner.items if i.open_amount > 0
                  and i.invoice_id not in self.taken][: self.rng.randrange(1, 4)]
        self.taken.update(i.invoice_id for i in others)
        chosen = [first, *others]
        total = sum((i.open_amount for i in chosen), Decimal(0))
        style = self.rng.choice(("exact", "exact", "sloppy"))
        text = self._text(*(self._write(i.invoice_id, style) for i in chosen))
        self._emit("multi_named", total, tuple(i.invoice_id for i in chosen), True,
                   remittance=text[:140], **self._payer(owner))
        return 1

    def _pay_multi_window(self) -> int:
        item = self._take()
        if item is None:
            return 0
        owner = self._owner(item)
        open_items = [i for i in owner.items if i.open_amount > 0]
        start = open_items.index(item)
        window = open_items[start : start + self.rng.randrange(2, 4)]
        if len(window) < 2 or any(i.invoice_id in self.taken for i in window[1:]):
            return 0
        self.taken.update(i.invoice_id for i in window)
        total = sum((i.open_amount for i in window), Decimal(0))
        known_payer = bool(owner.ibans)
        payer: dict[str, Any] = {"payer_name": owner.name.upper(),
                 "payer_iban": owner.ibans[0] if known_payer else self._iban()}
        amounts = [i.open_amount for i in open_items]
        others, finished = exact_subsets(amounts, total, limit=2)
        achievable = known_payer and len(open_items) <= 50 and finished and len(others) == 1
        self._emit("multi_window", total, tuple(i.invoice_id for i in window),
                   achievable, remittance=self.rng.choice(("REGLEMENT ECHEANCES", "PAYMENT")),
                   **payer)
        return 1

    def _pay_payer_amount(self) -> int:
        item = self._take(unique_amount=True)
        if item is None:
            return 0
        owner = self._owner(item)
        known = bool(owner.ibans)
        payer: dict[str, Any] = {"payer_name": self._bank_name(owner.name),
                 "payer_iban": owner.ibans[0] if known else self._iban()}
        self._emit("payer_amount", item.open_amount, (item.invoice_id,),
                   known, remittance=self.rng.choice(("VIREMENT", "PAIEMENT", "", "SEPA CT")),
                   **payer)
        return 1

    def _pay_fuzzy_name(self) -> int:
        item = self._take(unique_amount=True)
        if item is None:
            return 0
        owner = self._owner(item)
        name = self._bank_name(owner.name)
        self._emit("fuzzy_name", item.open_amount, (item.invoice_id,), True,
                   payer_name=name, payer_iban=self._iban(), remittance="VIREMENT")
        return 1

    def _pay_partial(self) -> int:
        item = self._take()
        if item is None:
            return 0
        owner, amount = self._owner(item), item.open_amount
        first = (amount * Decimal("0.4")).quantize(CENT)
        invoice_id = item.invoice_id
        day = self._day()
        for part, when, word in ((first, day, "ACOMPTE"), (amount - first, day + timedelta(days=2),
                                                          "SOLDE")):
            self._emit("partial", part, (invoice_id,), True, day=when,
                       remittance=f"{word} {invoice_id}", **self._payer(owner))
        return 2

    def _short_pay(self, kind: str, short: Decimal, words: str) -> int:
        item = self._take()
        if item is None or short >= item.open_amount:
            return 0
        invoice_id = item.invoice_id
        issued = item.issue_date
        self._emit(kind, item.open_amount - short, (invoice_id,), True,
                   day=max(START, issued + timedelta(days=10)) + timedelta(
                       days=self.rng.randrange(0, 3)),
                   remittance=f"{invoice_id} {words}".strip(), **self._payer(self._owner(item)))
        return 1

    def _pay_discount(self) -> int:
        recent = [k for k in range(max(0, len(self.free) - 60), len(self.free))
                  if self.free[k].issue_date >= START - timedelta(days=18)
                  and self.free[k].invoice_id not in self.taken]
        if not recent:
            return 0
        item = self.free.pop(recent[-1])
        self.free.append(item)
        short = (item.open_amount * Decimal("0.02")).quantize(CENT, ROUND_HALF_UP)
        return self._short_pay("discount", short, "ESCOMPTE 2%")

    def _pay_bank_charges(self) -> int:
        return self._short_pay("bank_charges", Decimal(self.rng.choice(("5.00", "7.50", "12.00"))),
                               "")

    def _pay_deduction(self) -> int:
        while self.free and self.free[-1].invoice_id in self.taken:
            self.free.pop()
        if not self.free:
            return 0
        short = (self.free[-1].open_amount * Decimal("0.3")).quantize(CENT)
        return self._short_pay("deduction", short, "DEDUCTION MARCHANDISE ENDOMMAGEE")

    def _pay_overpayment(self) -> int:
        item = self._take()
        if item is None:
            return 0
        self._emit("overpayment", item.open_amount + Decimal("50.00"),
                   (item.invoice_id,), True,
                   remittance=item.invoice_id, **self._payer(self._owner(item)))
        return 1

    def _pay_duplicate(self) -> int:
        item = self._take()
        if item is None:
            return 0
        invoice_id, owner = item.invoice_id, self._owner(item)
        payer = self._payer(owner)
        day = self._day()
        self._emit("ref_exact", item.open_amount, (invoice_id,), True, day=day,
                   remittance=invoice_id, **payer)
        self._emit("duplicate", item.open_amount, (), False, day=day + timedelta(days=1),
                   remittance=invoice_id, **payer)
        return 2

    def _pay_paid_again(self) -> int:
        paid = [i for c in self.rng.sample(self.customers, min(50, len(self.customers)))
                for i in c.items if i.open_amount == 0]
        if not paid:
            return 0
        item = paid[0]
        self._emit("paid_again", item.amount, (), False,
                   remittance=item.invoice_id, **self._payer(self._owner(item)))
        return 1

    def _pay_third_party(self) -> int:
        item = self._take()
        if item is None:
            return 0
        if self.rng.random() < 0.5:
            name, iban = self.rng.choice(self.parents)
        else:
            name = self.rng.choice(("PAYPAL EUROPE SARL", "STRIPE PAYMENTS EUROPE",
                                    "FACTOR FRANCE AFFACTURAGE"))
            iban = "FR7630004000010005555555500"
        self._emit("third_party", item.open_amount, (item.invoice_id,), True,
                   payer_name=name, payer_iban=iban,
                   remittance=f"{self._owner(item).name[:20]} {item.invoice_id}")
        return 1

    def _pay_no_info(self) -> int:
        item = self._take()
        if item is None:
            return 0
        self._emit("no_info", item.open_amount, (item.invoice_id,), False,
                   payer_name="M OU MME CLIENT INCONNU", payer_iban=self._iban(),
                   remittance="VIREMENT")
        return 1

    # --- lines that are no customer receipts -------------------------------------------

    def _noise(self) -> None:
        rng = self.rng
        count = max(7, self.n_payments * 6 // 100)
        makers = (
            lambda: {"amount": -Decimal(rng.choice(("12.00", "35.50", "4.20"))),
                     "remittance": "FRAIS TENUE DE COMPTE", "bank_code": "ACMT-MDOP-CHRG"},
            lambda: {"amount": Decimal(f"{rng.randrange(100, 9000)}.{rng.randrange(100):02d}"),
                     "remittance": "REMISE CB TELECOLLECTE", "bank_code": "PMNT-CCRD-POSD"},
            lambda: {"amount": Decimal(f"{rng.randrange(1, 90)}.{rng.randrange(100):02d}"),
                     "remittance": "INTERETS CREDITEURS", "bank_code": "ACMT-MCOP-INTR"},
            lambda: {"amount": Decimal(f"{rng.randrange(20, 900)}.00"),
                     "payer_name": "FOURNISSEUR BUREAU SA", "payer_iban": self._iban(),
                     "remittance": "REMBOURSEMENT AVOIR 2291"},
            lambda: {"amount": Decimal("50000.00"), "payer_name": "NOTRE SOCIETE",
                     "payer_iban": OUR_OTHER_IBAN, "remittance": "VIREMENT INTERNE"},
            lambda: {"amount": -Decimal(f"{rng.randrange(100, 3000)}.00"),
                     "remittance": "RETOUR PRELEVEMENT", "return_reason": "AM04",
                     "bank_code": "PMNT-IDDT-UPDD"},
            lambda: {"amount": -Decimal(f"{rng.randrange(100, 30000)}.00"),
                     "payer_name": "ACIERS DU NORD", "payer_iban": self._iban(),
                     "remittance": "FACTURE FOURNISSEUR 88812"},
        )
        for k in range(count):
            fields: dict[str, Any] = makers[k % len(makers)]()
            amount = Decimal(str(fields.pop("amount")))
            self._emit("non_customer", amount, (), False, **fields)


def generate(customers: int, items: int, payments: int, seed: int = 7) -> Scenario:
    """A scenario of about ``payments`` customer payments plus non-customer lines."""
    return Generator(customers, items, payments, seed).build()
