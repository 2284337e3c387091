"""The bank transaction model every statement parser produces."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, init=False)
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

    def __init__(  # noqa: PLR0917 - positional, in field order, as a dataclass takes them
        self,
        account: str,
        bank_reference: str,
        booking_date: date,
        amount: Decimal,
        currency: str,
        value_date: date | None = None,
        bank_code: str | None = None,
        payer_name: str | None = None,
        payer_iban: str | None = None,
        payer_bic: str | None = None,
        end_to_end_id: str | None = None,
        remittance: str | None = None,
        structured_reference: str | None = None,
        return_reason: str | None = None,
        charges: Decimal | None = None,
        details: tuple[str, ...] = (),
        customer_reference: str | None = None,
        reversal: bool = False,
        location: str | None = None,
    ) -> None:
        # The generated frozen __init__ sets each field through object.__setattr__,
        # which costs more than parsing a CFONB record: fill the instance dict at once.
        self.__dict__.update({
            "account": account, "bank_reference": bank_reference,
            "booking_date": booking_date, "amount": amount, "currency": currency,
            "value_date": value_date, "bank_code": bank_code, "payer_name": payer_name,
            "payer_iban": payer_iban, "payer_bic": payer_bic, "end_to_end_id": end_to_end_id,
            "remittance": remittance, "structured_reference": structured_reference,
            "return_reason": return_reason, "charges": charges, "details": details,
            "customer_reference": customer_reference, "reversal": reversal,
            "location": location,
        })

    @property
    def is_credit(self) -> bool:
        """Money received."""
        return self.amount > 0

    def __reduce__(self) -> tuple[type[BankTransaction], tuple[Any, ...]]:
        # Pickled as its values in field order and read back through __init__: half the
        # time of the default, an instance dict rebuilt key by key, which counts when
        # the parsing worker hands 100,000 entries over.
        return BankTransaction, _field_values(self)


_field_values = operator.attrgetter(*(f.name for f in fields(BankTransaction)))


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
