"""The cash-application engine: every transaction through the rules, then one decision.

For each transaction the engine asks the indexes who paid and which invoices the text
names, runs the rules stage by stage (references, then payer and amount, then amount
alone), ranks what they propose and decides:

* ``auto`` when the best proposal reaches the threshold and nothing competes with it;
* ``suggested`` otherwise, with the alternatives ranked;
* ``unmatched`` with a reason when nothing can be proposed.

Transactions that name invoices are decided first, so that a payment quoting an invoice
is never beaten to it by one that only happens to have the same amount. Automatic
applications are taken off the running open amounts at once: a second payment of the
same invoice is then recognised as a duplicate.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Sequence

from matching.allocation import EXACT
from matching.book import Application, Proposal
from matching.candidates import ZERO, Ledger
from matching.payers import PayerMatch
from matching.references import (
    Extraction,
    RefHit,
    TypoTargets,
    is_valid_rf,
    near_misses,
    words,
)
from matching.rules import (
    LAST_RESORT_RULES,
    PAYER_RULES,
    REFERENCE_RULES,
    RIVAL_WINDOWS,
    Context,
    NonCustomerRule,
    Rule,
)
from matching.settings import MatchSettings
from matching.statements.model import BankTransaction

_NON_CUSTOMER = NonCustomerRule()
_DUE = operator.attrgetter("due_date", "invoice_id")
#: How many of a customer's open items an unreadable number is compared with.
TYPO_POOL = 120


class Engine:
    """Matches bank transactions against a :class:`~matching.candidates.Ledger`.

    Args:
        ledger: Customers, invoices and the indexes over them; updated as cash is applied.
        settings: Thresholds and tolerances.
    """

    def __init__(self, ledger: Ledger, settings: MatchSettings | None = None) -> None:
        self.ledger = ledger
        self.settings = settings or MatchSettings()
        self._typo_pools: dict[tuple[str, str], TypoTargets] = {}

    def match(
        self,
        transactions: Iterable[BankTransaction],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[Proposal]:
        """One proposal per transaction, in the order given.

        Args:
            transactions: The bank entries, debits and credits alike.
            on_progress: Called with (done, total) every thousand transactions.
        """
        return self.decide_all([self.context(tx) for tx in transactions],
                               on_progress=on_progress)

    def decide_all(
        self,
        contexts: Sequence[Context],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[Proposal]:
        """:meth:`match` for transactions whose :meth:`context` is known already.

        Contexts depend on the ledger as it was before any decision, so a caller may
        gather them while statements are still being read.
        """
        order = self.decision_order(contexts)
        decided: dict[int, Proposal] = {}
        for done, k in enumerate(order, start=1):
            decided[k] = self.decide(contexts[k])
            if on_progress and (done % 1000 == 0 or done == len(order)):
                on_progress(done, len(order))
        return [decided[k] for k in range(len(contexts))]

    @staticmethod
    def decision_order(contexts: Sequence[Context]) -> list[int]:
        """The positions of ``contexts`` in the order they are decided: those naming
        invoices first, then by booking date, then as given."""
        keys = [(not c.hits, c.tx.booking_date, k) for k, c in enumerate(contexts)]
        return sorted(range(len(contexts)), key=keys.__getitem__)

    # --- what the indexes say ----------------------------------------------------------

    def context(self, tx: BankTransaction) -> Context:
        """Payer candidates and named invoices for one transaction."""
        hits = self._exact_hits(tx)
        if hits and self._pays_exactly(tx, hits):
            # Named as printed and paid exactly: the payer cannot change the decision.
            ctx = Context(tx, self.ledger, self.settings, [], False, Extraction(hits, [], []))
            ctx.hits, ctx.exact = hits, True
            return ctx
        if self._not_a_receipt(tx):
            # Whatever the text names, the non-customer rule decides these lines.
            return Context(tx, self.ledger, self.settings, [], False, Extraction([], [], []))
        intermediary = False
        payers: list[PayerMatch] = []
        if tx.amount > 0:
            intermediary, payers = self.ledger.payers.who_paid(tx.payer_name, tx.payer_iban)
        if not payers and tx.amount > 0 and self.ledger.customer_tokens:
            payers = self._by_habit(tx)
        refs = Extraction(hits, [], []) if hits else self.ledger.references.extract(
            tx.remittance, tx.structured_reference, tx.end_to_end_id
        )
        ctx = Context(tx, self.ledger, self.settings, payers, intermediary, refs)
        if tx.amount > 0:
            ctx.hits = self._trusted_hits(ctx)
        return ctx

    def _not_a_receipt(self, tx: BankTransaction) -> bool:
        """Lines :class:`~matching.rules.NonCustomerRule` classifies whatever they name."""
        return bool(tx.amount < 0 or tx.return_reason or tx.reversal
                    or self.ledger.payers.is_own_account(tx.payer_iban))

    def _by_habit(self, tx: BankTransaction) -> list[PayerMatch]:
        """A contract or customer number only one customer writes, learned from finance."""
        found = {self.ledger.customer_tokens.get(w) for w in words(tx.remittance)}
        found.discard(None)
        if len(found) != 1:
            return []
        return [PayerMatch(str(found.pop()), 0.9, "reference habit")]

    def _exact_hits(self, tx: BankTransaction) -> list[RefHit]:
        """Invoices named exactly as printed when nothing else in the text needs reading.

        Most receipts are of this kind; one look-up per word answers them, and the
        tolerant reading of :meth:`ReferenceIndex.extract` is skipped.
        """
        if tx.amount <= 0 or tx.return_reason or tx.reversal:
            return []
        index = self.ledger.references
        reference = tx.structured_reference
        hits: list[RefHit] = []
        by_reference: list[str] = []
        if reference:
            by_reference = index.by_reference(reference)
            if not by_reference:
                return []
            how = "rf" if is_valid_rf(reference) else "reference"
            hits = [RefHit(i, how, reference) for i in by_reference]
        named = index.exact_only(tx.remittance)
        if named is None and tx.remittance and not by_reference:
            return []
        hits += [RefHit(i, "exact", i) for i in named or () if i not in by_reference]
        return hits

    def _pays_exactly(self, tx: BankTransaction, hits: list[RefHit]) -> bool:
        items, opened = self.ledger.items, self.ledger.open
        if len(hits) == 1:  # most receipts pay one invoice
            invoice_id = hits[0].invoice_id
            open_amount = opened[invoice_id]
            return (open_amount == tx.amount and open_amount > ZERO
                    and items[invoice_id].currency == tx.currency)
        total = ZERO
        for hit in hits:
            open_amount = opened[hit.invoice_id]
            if open_amount <= ZERO or items[hit.invoice_id].currency != tx.currency:
                return False
            total += open_amount
        return total == tx.amount

    def _trusted_hits(self, ctx: Context) -> list[RefHit]:
        payer_customers = {p.customer_id for p in ctx.payers}
        hits = []
        for hit in ctx.refs.hits:
            item = self.ledger.items[hit.invoice_id]
            weak = hit.strength < 0.8
            if weak and item.customer_id not in payer_customers and (
                self.ledger.open[item.invoice_id] != ctx.tx.amount
            ):
                continue
            hits.append(hit)
        if ctx.refs.unresolved and ctx.tx.amount > 0:
            hits.extend(self._habit_and_typo_hits(ctx, {h.invoice_id for h in hits}))
        hits.extend(self._mistyped_existing(ctx, hits))
        return hits

    def _mistyped_existing(self, ctx: Context, hits: list[RefHit]) -> list[RefHit]:
        """A number typed wrong can name another real invoice: the amount tells.

        When the invoices named do not match the amount but an invoice one typing error
        away has exactly this open amount, that invoice is named too (as a typo).
        """
        amount, opened = ctx.tx.amount, self.ledger.open
        named = [h for h in hits if h.strength >= 0.85]
        if not named or any(opened.get(h.invoice_id) == amount for h in hits):
            return []
        if sum(opened.get(h.invoice_id, 0) for h in hits) == amount:
            return []  # several invoices named, paid together
        pool = [i.invoice_id for p in ctx.payers[:3]
                for i in self.ledger.customer_items_of_amount(p.customer_id, ctx.tx.currency,
                                                              amount)]
        pool += self.ledger.with_amount(ctx.tx.currency, amount)[:20]
        if not pool:
            return []
        tokens = ["".join(ch for ch in h.text if ch.isdigit()) for h in named]
        known = {h.invoice_id for h in hits}
        found = {i: t for i, t in near_misses(tokens, dict.fromkeys(pool)) if i not in known}
        return [RefHit(i, "typo", t) for i, t in found.items()]

    def _habit_and_typo_hits(self, ctx: Context, known: set[str]) -> list[RefHit]:
        """Unresolved numbers read through the customer's habits or as one typing error."""
        hits = []
        for payer in ctx.payers[:3]:
            for token in ctx.refs.unresolved:
                invoice_id = self.ledger.token_habits.get((payer.customer_id, token))
                if invoice_id and invoice_id not in known:
                    hits.append(RefHit(invoice_id, "habit", token))
                    known.add(invoice_id)
            for width in self.ledger.tail_habits.get(payer.customer_id, ()):
                hits.extend(self._tail_hits(ctx, payer.customer_id, width, known))
        pool = self._typo_pool(ctx)
        for invoice_id, token in pool.near_misses(ctx.refs.unresolved):
            if invoice_id not in known:
                hits.append(RefHit(invoice_id, "typo", token))
                known.add(invoice_id)
        return hits

    def _typo_pool(self, ctx: Context) -> TypoTargets:
        """The invoices an unreadable number is compared with: the payers' oldest open
        ones (never the whole of a large account) and those of the amount paid.

        A payer's part is kept between payments while its invoices stay the same.
        """
        parts = []
        for payer in ctx.payers[:3]:
            key = (payer.customer_id, ctx.tx.currency)
            ids = [i.invoice_id for i in self.ledger.open_items_of(*key, TYPO_POOL)]
            kept = self._typo_pools.get(key)
            if kept is None or kept.invoice_ids != ids:
                kept = self._typo_pools[key] = TypoTargets(ids)
            parts.append(kept)
        parts.append(TypoTargets(self.ledger.with_amount(ctx.tx.currency, ctx.tx.amount)[:20]))
        ids = [i for part in parts for i in part.invoice_ids]
        if len(set(ids)) < len(ids):
            return TypoTargets(list(dict.fromkeys(ids)))  # a pool shared: compare once
        return functools.reduce(operator.add, parts)

    def _tail_hits(
        self, ctx: Context, customer_id: str, width: int, known: set[str]
    ) -> list[RefHit]:
        tokens = {t[-width:] for t in ctx.refs.unresolved if len(t) >= width}
        hits = []
        for item in self.ledger.open_items_of(customer_id, ctx.tx.currency):
            digits = "".join(ch for ch in item.invoice_id if ch.isdigit())
            if digits[-width:] in tokens and item.invoice_id not in known:
                hits.append(RefHit(item.invoice_id, "habit", digits[-width:]))
                known.add(item.invoice_id)
        return hits

    # --- deciding ----------------------------------------------------------------------

    def decide(self, ctx: Context) -> Proposal:
        """Run the rules for one transaction and decide its status."""
        if ctx.exact:
            exact = self._decide_exact(ctx)
            if exact is not None:
                return exact
        non_customer = _NON_CUSTOMER.propose(ctx)
        if non_customer:
            proposal = non_customer[0]
            proposal.status = "unmatched"
            return proposal
        proposals = self._run(REFERENCE_RULES, ctx)
        if not self._settled(proposals):
            # Invoices the payer named come first; windows and subsets only without them.
            proposals += self._run(PAYER_RULES[:1], ctx)
            named = any(p.confidence >= self.settings.auto_threshold for p in proposals)
            if not self._settled(proposals) and not named:
                proposals += self._run(PAYER_RULES[1:], ctx)
            elif not ctx.hits:
                # One invoice of this amount, no reference: several due together may be it.
                proposals += self._run((RIVAL_WINDOWS,), ctx)
        if not proposals:
            return self.last_resort(ctx)
        return self._choose(ctx, proposals)

    def last_resort(self, ctx: Context) -> Proposal:
        """The decision when no reference, payer or amount rule proposed anything."""
        proposals = self._run(LAST_RESORT_RULES, ctx)
        if not proposals:
            return Proposal(ctx.tx, "unmatched", "none", self._nothing_found(ctx), 0.0)
        return self._choose(ctx, proposals)

    def _decide_exact(self, ctx: Context) -> Proposal | None:
        """The reference rule's answer for invoices named as printed and paid exactly.

        The same proposal :class:`~matching.rules.ReferenceRule` makes, without the
        rule machinery: three quarters of all receipts take this path.
        """
        tx, hits, ledger = ctx.tx, ctx.hits, self.ledger
        if ledger.payers.is_own_account(tx.payer_iban) or not self._pays_exactly(tx, hits):
            return None
        if len(hits) == 1:  # most receipts pay one invoice
            hit = hits[0]
            items = [ledger.items[hit.invoice_id]]
            doubt, names, hows = (1 - hit.strength) * EXACT, hit.invoice_id, hit.how
        else:
            items = sorted((ledger.items[h.invoice_id] for h in hits), key=_DUE)
            doubt = (1 - min(h.strength for h in hits)) * EXACT
            names = ", ".join(h.invoice_id for h in hits)
            hows = "/".join(sorted({h.how for h in hits}))
        applications = [Application(i.invoice_id, ledger.open[i.invoice_id]) for i in items]
        confidence = round(1 - doubt, 4)
        sure = confidence >= self.settings.auto_threshold
        proposal = Proposal(tx, "auto" if sure else "suggested", "reference",
                            f"{names} named ({hows}); exact amount", confidence,
                            customer_id=items[0].customer_id, applications=applications)
        if sure:  # nothing else was proposed: nothing competes
            for application in applications:
                ledger.apply(application.invoice_id, application.applied_amount,
                             tx.bank_reference)
        return proposal

    @staticmethod
    def _run(rules: Sequence[Rule], ctx: Context) -> list[Proposal]:
        return [p for rule in rules for p in rule.propose(ctx)]

    def _settled(self, proposals: list[Proposal]) -> bool:
        """A sure proposal that explains the whole amount needs no rival search."""
        return any(
            p.confidence >= self.settings.auto_threshold and p.remainder_kind is None
            and p.applications
            for p in proposals
        )

    def _choose(self, ctx: Context, proposals: list[Proposal]) -> Proposal:
        ranked: list[Proposal] = []
        seen: set[tuple[str, ...]] = set()
        for proposal in sorted(proposals, key=lambda p: -p.confidence):
            key = tuple(sorted(proposal.invoice_ids))
            if key not in seen:
                seen.add(key)
                ranked.append(proposal)
        best, others = ranked[0], ranked[1:]
        best.alternatives = others[:5]
        floor = max(0.5, best.confidence - self.settings.margin)
        rivals = [p for p in others if p.confidence >= floor and p.applications]
        if not best.applications:
            best.status = "unmatched"
        elif best.confidence >= self.settings.auto_threshold and not rivals:
            best.status = "auto"
            for application in best.applications:
                self.ledger.apply(application.invoice_id, application.applied_amount,
                                  ctx.tx.bank_reference)
        else:
            best.status = "suggested"
            if rivals:
                names = "; ".join(", ".join(p.invoice_ids) for p in rivals[:3])
                best.reason += f"; competing: {names}"
        return best

    def _nothing_found(self, ctx: Context) -> str:
        if ctx.refs.hits:
            named = ", ".join(sorted(h.invoice_id for h in ctx.refs.hits))
            return f"invoices named ({named}) are not open in {ctx.tx.currency}"
        if ctx.intermediary:
            return "paid through an intermediary and no invoice named"
        if ctx.payers:
            who = ", ".join(p.customer_id for p in ctx.payers[:3])
            return f"payer matches {who} but no open item fits the amount and no invoice named"
        return "no invoice named, payer unknown and no open item of this amount"
