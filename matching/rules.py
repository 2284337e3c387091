"""Matching rules: small strategies tried in order, each saying what it found and why.

In the manner of the reconciliation models of accounting packages, every rule looks at
one transaction through the indexes and returns proposals; each proposal carries the
rule's name, a reason finance can read, and a confidence in [0, 1]. The engine, not the
rules, decides what is applied automatically.

Confidence is built from doubts that multiply: how sure the reference is, whether the
payer is the invoice's customer, and whether the amount agrees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from matching.allocation import CENT, EXACT, EXPLAINED, allocate, discount_rate, spread
from matching.book import Application, OpenItem, Proposal
from matching.candidates import Ledger
from matching.payers import PayerMatch
from matching.references import Extraction, RefHit
from matching.settings import MatchSettings
from matching.statements.model import BankTransaction
from matching.subsets import exact_subsets, milli, subsets_of, windows_of


@dataclass
class Context:
    """One transaction with what the indexes said about it."""

    tx: BankTransaction
    ledger: Ledger
    settings: MatchSettings
    payers: list[PayerMatch]
    intermediary: bool
    refs: Extraction
    hits: list[RefHit] = field(default_factory=list)
    exact: bool = False
    """Every invoice named as printed, and together they are the amount paid."""
    touched: list[str] | None = field(default=None, compare=False)
    """The customers deciding this may read or apply cash to, once worked out
    (:func:`matching.parallel.customers_touched`)."""

    @property
    def text(self) -> str:
        """Everything the payer wrote, upper case."""
        parts = (self.tx.remittance, self.tx.structured_reference, self.tx.end_to_end_id)
        return " ".join(p for p in parts if p).upper()

    def payer_score(self, customer_id: str) -> float:
        """How sure we are the payer is this customer (0 when not a candidate)."""
        return max((p.score for p in self.payers if p.customer_id == customer_id), default=0.0)

    def named_elsewhere(self, invoice_ids: Iterable[str]) -> bool:
        """The payer clearly named invoices, and not these ones."""
        named = {h.invoice_id for h in self.hits}
        return bool(named) and not named.issuperset(invoice_ids)

    def payer_is_someone_else(self, customer_ids: set[str]) -> bool:
        """The payer is surely one customer, and not the invoices' customer."""
        if self.intermediary or not self.payers:
            return False
        best = self.payers[0]
        return best.score >= 0.9 and len(self.payers) == 1 and best.customer_id not in customer_ids


class Rule(Protocol):
    """A matching strategy."""

    name: str

    def propose(self, ctx: Context) -> list[Proposal]:
        """Proposals for this transaction (empty when the rule does not apply)."""
        ...


def _proposal(ctx: Context, rule: str, reason: str, confidence: float, **kw: object) -> Proposal:
    return Proposal(ctx.tx, "", rule, reason, round(min(max(confidence, 0.0), 1.0), 4), **kw)  # type: ignore[arg-type]


# --- non-customer lines --------------------------------------------------------------

_NON_CUSTOMER = re.compile(
    r"(?P<fees>\bFEES?\b|FRAIS|COMMISSION|GEBUEHR|GEBUHR|\bCHRG\b|CHARGES)|"
    r"(?P<interest>INTEREST|INTERET|\bZINS|\bINTR\b)|"
    r"(?P<card>REMISE CB|REMISE CARTE|CARD SETTLEMENT|\bCCRD\b|\bPOSD\b|TELECOLLECTE|ACQUIR)|"
    r"(?P<returned>RETURN|RETOUR|REJET|IMPAYE|RUECKLAST|\bRTRN\b|\bUPDD\b|\bDDRT\b)"
)
_KINDS = {"fees": "bank fees", "interest": "interest", "card": "card settlement",
          "returned": "returned direct debit"}
_REFUND = re.compile(r"REFUND|REMBOURSEMENT|ERSTATTUNG|RISTOURNE")


class NonCustomerRule:
    """Lines that are not customer receipts stay unmatched, with what they are."""

    name = "non_customer"

    def propose(self, ctx: Context) -> list[Proposal]:
        """An unmatched proposal naming the kind of line, or nothing for receipts."""
        reason = self._kind(ctx)
        return [_proposal(ctx, self.name, reason, 0.95)] if reason else []

    def _kind(self, ctx: Context) -> str | None:  # noqa: PLR0911 - one answer per kind of line
        tx = ctx.tx
        if tx.return_reason:
            return f"returned payment (reason {tx.return_reason})"
        if tx.reversal:
            return "reversal of an earlier entry"
        if ctx.ledger.payers.is_own_account(tx.payer_iban):
            return "transfer between own accounts"
        if tx.amount < 0 or not ctx.hits:  # a receipt naming invoices needs no reading
            text = ctx.text + " " + (tx.bank_code or "").upper()
            found = _NON_CUSTOMER.search(text)
            if found and found.lastgroup:
                return _KINDS[found.lastgroup]
            if tx.amount < 0:
                return "outgoing payment (supplier or other debit), not a customer receipt"
            if not ctx.payers and _REFUND.search(text):
                return "supplier refund, not a customer receipt"
        if tx.currency not in ctx.ledger.currencies:
            return f"no open items in {tx.currency}"
        return None


# --- references ----------------------------------------------------------------------


class ReferenceRule:
    """Invoices the payer named (creditor reference, invoice numbers, habits)."""

    name = "reference"

    def propose(self, ctx: Context) -> list[Proposal]:
        """The named open invoices, spread and explained; subsets of them when needed."""
        items = self._named_open(ctx)
        if not items:
            return []
        out = [self._whole(ctx, items)]
        if len(items) > 1 and sum(ctx.ledger.open[i.invoice_id] for i in items) != ctx.tx.amount:
            out.extend(self._named_subset(ctx, items))
        return out

    def _named_open(self, ctx: Context) -> list[OpenItem]:
        items = []
        for hit in ctx.hits:
            item = ctx.ledger.items.get(hit.invoice_id)
            if item and item.currency == ctx.tx.currency and ctx.ledger.open[item.invoice_id] > 0:
                items.append(item)
        return items

    def _doubt(self, ctx: Context, items: list[OpenItem]) -> float:
        strength = {h.invoice_id: h.strength for h in ctx.hits}
        doubt = 1 - min(strength[i.invoice_id] for i in items)
        customers = {i.customer_id for i in items}
        payer = min(ctx.payer_score(c) for c in customers)
        doubt *= 1 - 0.5 * payer
        if ctx.payer_is_someone_else(customers):
            doubt = min(1.0, doubt * 3 + 0.05)
        return doubt

    def _whole(self, ctx: Context, items: list[OpenItem]) -> Proposal:
        alloc = allocate(items, ctx.tx, ctx.ledger, ctx.settings)
        doubt = self._doubt(ctx, items) * alloc.doubt
        chosen = {i.invoice_id for i in items}
        hows = sorted({h.how for h in ctx.hits if h.invoice_id in chosen})
        reason = f"{', '.join(i.invoice_id for i in items)} named ({'/'.join(hows)}); {alloc.note}"
        return _proposal(
            ctx, self.name, reason, 1 - doubt, customer_id=items[0].customer_id,
            applications=alloc.applications, remainder=alloc.remainder,
            remainder_kind=alloc.remainder_kind, dispute=alloc.dispute,
        )

    def _named_subset(self, ctx: Context, items: list[OpenItem]) -> list[Proposal]:
        amounts = [ctx.ledger.open[i.invoice_id] for i in items]
        solutions, _ = exact_subsets(amounts, ctx.tx.amount, max_size=len(items), limit=3)
        out = []
        for solution in solutions:
            chosen = [items[k] for k in solution]
            doubt = self._doubt(ctx, chosen) * EXPLAINED * len(solutions)
            names = ", ".join(i.invoice_id for i in chosen)
            out.append(_proposal(
                ctx, "reference_subset", f"{names} of the invoices named add up to the amount",
                1 - doubt, customer_id=chosen[0].customer_id,
                applications=spread(chosen, ctx.tx.amount, ctx.ledger),
            ))
        return out


class AlreadyPaidRule:
    """A payment naming only invoices that are already paid: a duplicate payment."""

    name = "already_paid"

    def propose(self, ctx: Context) -> list[Proposal]:
        """One proposal with nothing applied, naming the paid invoices."""
        currency = ctx.tx.currency
        strong = [h for h in ctx.hits if h.strength >= 0.85
                  and ctx.ledger.items[h.invoice_id].currency == currency]
        paid = [h.invoice_id for h in strong if ctx.ledger.open.get(h.invoice_id, 1) <= 0]
        if not paid or len(paid) < len(strong):
            return []
        by = sorted({t for i in paid for t in ctx.ledger.paid_by.get(i, [])})
        when = f" (by {', '.join(by)})" if by else ""
        reason = (f"duplicate payment: {', '.join(paid)} already paid{when}; "
                  f"{ctx.tx.amount} to refund or keep on account")
        customer = ctx.ledger.items[paid[0]].customer_id
        return [_proposal(ctx, self.name, reason, 0.9, customer_id=customer,
                          remainder=ctx.tx.amount, remainder_kind="duplicate")]


# --- payer and amount ----------------------------------------------------------------


class PayerAmountRule:
    """The payer's customer has one open invoice of exactly this amount (or less discount)."""

    name = "payer_amount"

    def propose(self, ctx: Context) -> list[Proposal]:
        """One proposal per payer candidate and matching invoice."""
        out = []
        for payer in ctx.payers:
            exact = ctx.ledger.customer_items_of_amount(
                payer.customer_id, ctx.tx.currency, ctx.tx.amount)
            matched = exact or self._discounted(ctx, payer.customer_id)
            # Beyond the window search, combinations of several invoices cannot be ruled
            # out: an amount alone then proposes, never applies.
            crowded = bool(matched) and not ctx.hits and ctx.ledger.open_count(
                payer.customer_id, ctx.tx.currency) > WINDOW_ITEMS
            for item in matched:
                doubt = (1 - payer.score) * 0.5 * len(matched) ** 2
                if crowded:
                    doubt = max(doubt, 0.15)
                if not exact:
                    doubt = 1 - (1 - doubt) * 0.9
                if ctx.named_elsewhere([item.invoice_id]):
                    doubt = 1 - (1 - doubt) * 0.85
                alloc = allocate([item], ctx.tx, ctx.ledger, ctx.settings)
                reason = f"payer {payer.how} matches {payer.customer_id}; {alloc.note}"
                if len(matched) > 1:
                    reason += f"; {len(matched)} invoices of this amount"
                out.append(_proposal(
                    ctx, self.name, reason, 1 - doubt, customer_id=payer.customer_id,
                    applications=alloc.applications, remainder=alloc.remainder,
                    remainder_kind=alloc.remainder_kind,
                ))
        return out

    def _discounted(self, ctx: Context, customer_id: str) -> list[OpenItem]:
        """Invoices the payment settles less an early-payment discount (looked up by amount)."""
        rates, amount = ctx.settings.discount_rates, float(ctx.tx.amount)
        if not rates or not ctx.ledger.has_amount_between(
            customer_id, ctx.tx.currency,
            amount / (1 - float(min(rates))) - 0.02,  # a cent of rounding, a cent of margin
            amount / (1 - float(max(rates))) + 0.02,
        ):
            return []  # one range look-up instead of fifteen for most payments
        found: dict[str, OpenItem] = {}
        for rate in rates:
            gross = (ctx.tx.amount / (1 - rate)).quantize(CENT)
            for cents in (-1, 0, 1):
                for item in ctx.ledger.customer_items_of_amount(
                    customer_id, ctx.tx.currency, gross + cents * CENT
                ):
                    short = ctx.ledger.open[item.invoice_id] - ctx.tx.amount
                    if discount_rate([item], short, ctx.ledger, ctx.settings) is not None:
                        found[item.invoice_id] = item
        return list(found.values())


#: How many of a customer's oldest open items due-date windows are searched in.
WINDOW_ITEMS = 300


class PayerSubsetRule:
    """Several of the payer's invoices add up to the payment (1:N without references)."""

    name = "payer_subset"

    def __init__(self, *, windows_only: bool = False) -> None:
        self.windows_only = windows_only

    def propose(self, ctx: Context) -> list[Proposal]:
        """Due-date windows first, then a bounded subset search on small ledgers."""
        out = []
        for payer in ctx.payers[:2]:
            if payer.score < 0.85:
                continue  # a name that only resembles proposes no combination of invoices
            # Windows start at the oldest items: what is paid first is due first.
            items, values = ctx.ledger.oldest_open(payer.customer_id, ctx.tx.currency,
                                                   WINDOW_ITEMS)
            if len(items) >= 2:
                count = ctx.ledger.open_count(payer.customer_id, ctx.tx.currency)
                out.extend(self._for_customer(ctx, payer, items, values, count))
        return out

    def _for_customer(
        self, ctx: Context, payer: PayerMatch, items: list[OpenItem], values: list[int],
        count: int,
    ) -> list[Proposal]:
        goal = milli(ctx.tx.amount)
        small = count <= ctx.settings.amount_only_limit
        windows = [tuple(w) for w in windows_of(values, goal) if len(w) > 1]
        solutions: list[tuple[int, ...]] = list(windows)
        finished = True
        if self.windows_only:
            small = finished = bool(windows)  # asked only to find rivals: windows count
        elif small:
            found, finished = subsets_of(values, goal, limit=3)
            solutions += [s for s in found if len(s) > 1 and s not in solutions]
        unique = len(solutions) == 1 and finished and small
        out = []
        for solution in solutions[:5]:
            chosen = [items[k] for k in solution]
            doubt = (1 - payer.score) * EXACT * 2 if unique else 0.5 + 0.1 * len(solutions)
            if ctx.named_elsewhere(i.invoice_id for i in chosen):
                doubt = 1 - (1 - doubt) * 0.85
            kind = "consecutive due dates" if solution in windows else "subset of open items"
            names = ", ".join(i.invoice_id for i in chosen)
            reason = (f"payer {payer.how} matches {payer.customer_id}; {names} "
                      f"({kind}) add up to the amount, among {count} open items")
            out.append(_proposal(
                ctx, self.name, reason, 1 - doubt, customer_id=payer.customer_id,
                applications=spread(chosen, ctx.tx.amount, ctx.ledger),
            ))
        return out


#: The most the amount alone can make sure: below any sensible threshold, never applied.
AMOUNT_ONLY_CONFIDENCE = 0.6


class AmountOnlyRule:
    """No payer, no reference: open invoices of exactly this amount, for finance to pick."""

    name = "amount_only"

    def propose(self, ctx: Context) -> list[Proposal]:
        """At most five proposals, never confident enough to apply alone."""
        ids = ctx.ledger.with_amount(ctx.tx.currency, ctx.tx.amount)
        out = []
        for invoice_id in ids[:5]:
            item = ctx.ledger.items[invoice_id]
            confidence = AMOUNT_ONLY_CONFIDENCE if len(ids) == 1 else 0.3
            out.append(_proposal(
                ctx, self.name, f"only the amount matches {invoice_id}", confidence,
                customer_id=item.customer_id,
                applications=[Application(invoice_id, ctx.ledger.open[invoice_id])],
            ))
        return out


#: The rules in the order the engine tries them, by stage.
REFERENCE_RULES: tuple[Rule, ...] = (AlreadyPaidRule(), ReferenceRule())
PAYER_RULES: tuple[Rule, ...] = (PayerAmountRule(), PayerSubsetRule())
#: Asked when one invoice matches the amount: does a run of several match it too?
RIVAL_WINDOWS: Rule = PayerSubsetRule(windows_only=True)
LAST_RESORT_RULES: tuple[Rule, ...] = (AmountOnlyRule(),)
