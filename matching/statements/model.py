"""The bank transaction model every statement parser produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class BankTransaction:
    """One entry on a statement.

    ``amount`` is signed: positive for money received (credit), negative for money
    paid out (debit). ``bank_reference`` is the contract's ``transaction_id``: CAMT
    ``Ntry/AcctSvcrRef`` (else ``NtryRef``, else the first ``TxDtls/Refs/AcctSvcrRef``),
    MT940 the bank reference after ``//`` in ``:61:``, CFONB 120 the entry number of
    record 04.
    """

    account: str
    bank_reference: str
    booking_date: date
    amount: Decimal
    currency: str
    value_date: date | None = None
    bank_code: str | None = None
    payer_name: str | None = None
    payer_iban: str | None = None
    payer_bic: str | None = None
    end_to_end_id: str | None = None
    remittance: str | None = None
    structured_reference: str | None = None
    return_reason: str | None = None
    charges: Decimal | None = None
    details: tuple[str, ...] = ()
    customer_reference: str | None = None
    """The account owner's own reference (MT940 ``:61:`` before ``//``, CAMT ``NtryRef``)."""
    reversal: bool = False
    """A reversal of an earlier entry (CAMT ``RvslInd``, MT940 ``RC``/``RD``)."""
    location: str | None = None
    """Where in the file the entry was read (line or XPath), for error messages."""

    @property
    def is_credit(self) -> bool:
        """Money received."""
        return self.amount > 0


@dataclass
class Statement:
    """One statement (CAMT ``Stmt``/``Ntfctn``, an MT940 message, a CFONB 01..07 run)."""

    account: str
    statement_ref: str
    format: str
    currency: str | None
    statement_date: date | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    transactions: list[BankTransaction] = field(default_factory=list)
    opening_date: date | None = None
    closing_date: date | None = None
    interim: bool = False
    """An intraday report (MT942, CAMT.054 notification) that may carry no balances."""
    balance_currencies: tuple[str, ...] = ()
    """The currencies the balances were written in (checked against ``currency``)."""
    location: str | None = None
    """Where in the file the statement starts (line or XPath), for error messages."""
