"""What every statement must satisfy, whatever the bank's dialect.

The checks run while entries stream past (:class:`StatementCheck`), so a 100,000-entry
statement is verified without being held in memory:

* every amount is in a known ISO 4217 currency and has no more decimals than that
  currency's minor unit allows (``12.345 EUR`` is refused, ``12.340 EUR`` is not);
* one statement speaks one currency (balances and entries);
* opening balance + movements = closing balance, exactly.
"""

from __future__ import annotations

from decimal import Decimal

import iso4217

from hub.errors import BadDocument
from matching.statements.model import BankTransaction, Statement

# Precious metals and the testing code carry no minor unit in ISO 4217; statements in
# them are not something a receivables ledger books.
_UNITS: dict[str, int] = {
    c.code: c.exponent for c in iso4217.Currency if c.exponent is not None
}
_QUANTUM = {units: Decimal(1).scaleb(-units) for units in set(_UNITS.values())}


def is_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency with a minor unit."""
    return code in _UNITS


def minor_units(currency: str, *, location: str | None = None) -> int:
    """The number of decimals ISO 4217 gives ``currency`` (2 for EUR, 0 for JPY).

    Raises:
        BadDocument: ``UNKNOWN_CURRENCY`` for a code that is not an ISO 4217 currency.
    """
    units = _UNITS.get(currency)
    if units is None:
        raise BadDocument(
            f"unknown currency {currency!r}", location=location, code="UNKNOWN_CURRENCY"
        )
    return units


def check_amount(amount: Decimal, currency: str, *, location: str | None = None) -> None:
    """Refuse an amount with more significant decimals than its currency allows.

    Raises:
        BadDocument: ``UNKNOWN_CURRENCY`` or ``BAD_DECIMALS``.
    """
    units = minor_units(currency, location=location)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -units:
        return
    if amount != amount.quantize(_QUANTUM[units]):
        raise BadDocument(
            f"amount {amount} has more decimals than {currency} allows ({units})",
            location=location,
            code="BAD_DECIMALS",
        )


class StatementCheck:
    """Accumulates one statement's movements, then checks the statement as a whole."""

    def __init__(self) -> None:
        self.movements = Decimal(0)
        self.count = 0
        self.currencies: set[str] = set()

    def add(self, transaction: BankTransaction) -> None:
        """Check one entry and add it to the running total.

        Raises:
            BadDocument: for an unknown currency or too many decimals.
        """
        amount, currency = transaction.amount, transaction.currency
        units = _UNITS.get(currency)
        exponent = amount.as_tuple().exponent
        # The usual case decided here; anything else is for check_amount to judge.
        if units is None or not isinstance(exponent, int) or exponent < -units:
            check_amount(amount, currency, location=transaction.location)
        self.movements += amount
        self.count += 1
        self.currencies.add(currency)

    def close(self, statement: Statement) -> None:
        """Check the statement's currency and balances against the entries seen.

        Raises:
            BadDocument: ``MIXED_CURRENCY``, ``UNKNOWN_CURRENCY``, ``BAD_DECIMALS`` or
                ``BAD_BALANCE``, naming the statement.
        """
        where = statement.location
        name = f"statement {statement.statement_ref} of account {statement.account}"
        currencies = self.currencies | set(statement.balance_currencies)
        currencies |= {statement.currency} if statement.currency else set()
        if len(currencies) > 1:
            raise BadDocument(
                f"{name} mixes currencies {', '.join(sorted(currencies))}",
                location=where,
                code="MIXED_CURRENCY",
            )
        currency = statement.currency or next(iter(currencies), None)
        for balance in (statement.opening_balance, statement.closing_balance):
            if balance is not None and currency:
                check_amount(balance, currency, location=where)
        self._check_balances(statement, name)

    def _check_balances(self, statement: Statement, name: str) -> None:
        opening, closing = statement.opening_balance, statement.closing_balance
        if opening is None or closing is None:
            if statement.interim:
                return
            missing = "opening" if opening is None else "closing"
            raise BadDocument(
                f"{name} has no {missing} balance (truncated?)", location=statement.location,
                code="TRUNCATED",
            )
        if opening + self.movements != closing:
            raise BadDocument(
                f"{name} does not balance: opening {opening} + movements {self.movements}"
                f" = {opening + self.movements}, but closing balance is {closing}",
                location=statement.location,
                code="BAD_BALANCE",
            )
