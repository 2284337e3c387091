"""Our parse agrees with the expected outputs the samples' own projects ship.

* wolph/mt940: ``upstream/*.yml`` (the library's parse, loaded with the library);
* genkgo/camt: ``upstream/*.json`` (amounts in minor units);
* OCA bank-statement-import: ``golden-*.pydata`` (AGPL, read from the shared folder);
* CFONB: the balances the sample projects assert (recorded in the samples MANIFEST).
"""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from matching.statements import parse
from matching.statements.checks import minor_units
from matching.statements.model import BankTransaction, Statement
from tests.conftest import SAMPLES, SHARED_SAMPLES

yaml = pytest.importorskip("yaml")
pytest.importorskip("mt940")  # the .yml files name the library's classes


def _transactions(statements: list[Statement]) -> list[BankTransaction]:
    return [t for s in statements for t in s.transactions]


MT940_ORACLES = sorted((SAMPLES / "mt940" / "upstream").glob("*.yml"))


def _mt940_sample(oracle: Path) -> Path:
    return next(p for p in (SAMPLES / "mt940").iterdir() if p.stem == oracle.stem and
                p.suffix in (".sta", ".txt"))


@pytest.mark.parametrize("oracle", MT940_ORACLES, ids=lambda p: p.stem)
def test_mt940_agrees_with_the_mt940_library(oracle: Path) -> None:
    expected = yaml.load(oracle.read_text(encoding="utf-8"), Loader=yaml.Loader)
    sample = _mt940_sample(oracle)
    statements = parse(sample.read_bytes(), sample.name, check=False)
    ours = _transactions(statements)
    theirs = list(expected)
    assert len(ours) == len(theirs)
    for mine, their in zip(ours, theirs, strict=True):
        data = their.data
        theirs_amount = data["amount"].amount
        if data["status"] == "RC":
            # SWIFT: RC is the reversal of a credit, a debit; the library keeps its sign
            # unless asked (Options.reversal_sign), so its expected files do not.
            theirs_amount = -theirs_amount
        assert mine.amount == theirs_amount, mine.location
        assert isinstance(mine.amount, Decimal)
        assert mine.value_date == data["date"]
        assert mine.currency == (data["currency"] or statements[0].currency)
        bank_ref = (data.get("bank_reference") or "").strip()
        customer_ref = (data.get("customer_reference") or "").strip()
        assert mine.bank_reference == (bank_ref or customer_ref)
        if data.get("entry_date"):
            assert mine.booking_date == data["entry_date"]
    # The library keeps the last final (F) balances it met; ours are per statement.
    for key, attribute in (("final_opening_balance", "opening_balance"),
                           ("final_closing_balance", "closing_balance")):
        balance = expected.data.get(key)
        if balance is None or not (balance.amount.currency or "").isalpha():
            continue  # a balance written without currency, which the library misreads
        assert balance.amount.amount in {getattr(s, attribute) for s in statements}


GENKGO = sorted((SAMPLES / "camt053" / "upstream").glob("*.json")) + sorted(
    (SAMPLES / "camt054" / "upstream").glob("*.json")
)


def _minor(amount: Decimal, currency: str) -> str:
    return str(int(amount.scaleb(minor_units(currency))))


def _entry_transactions(mine: list[BankTransaction], index: int) -> list[BankTransaction]:
    """Our transactions read from the entry at (0-based) ``index`` of the file."""
    return [t for t in mine if f"/Ntry[{index + 1}]" in (t.location or "")]


@pytest.mark.parametrize("oracle", GENKGO, ids=lambda p: p.stem)
def test_camt_agrees_with_genkgo(oracle: Path) -> None:
    message = json.loads(oracle.read_text(encoding="utf-8"))
    sample = oracle.parent.parent / f"{oracle.stem}.xml"
    statements = parse(sample.read_bytes(), sample.name, check=False)
    records = [e["getRecord"] for e in message["getEntries"] if isinstance(e["getRecord"], dict)]
    mine = _transactions(statements)
    for entry in message["getEntries"]:
        amount = entry["getAmount"]
        currency = amount["getCurrency"]["getCode"]
        items = _entry_transactions(
            [t for s in statements for t in s.transactions
             if s.statement_ref == _record_id(entry, records)], entry["getIndex"])
        assert items, entry["getIndex"]
        assert _minor(sum((t.amount for t in items), Decimal(0)), currency) == amount["getAmount"]
        assert {t.currency for t in items} == {currency}
        if entry.get("getAccountServicerReference"):
            assert items[0].bank_reference == entry["getAccountServicerReference"]
        if entry.get("getBookingDate"):
            assert items[0].booking_date.isoformat() == entry["getBookingDate"]["0"][:10]
    assert len(mine) >= len(message["getEntries"])  # a batch may give one per detail
    for record in records:
        statement = next(s for s in statements if s.statement_ref == record["getId"])
        assert statement.account == record["getAccount"]["getIdentification"]
        for kind in ("opening", "closing"):
            # genkgo calls both OPBD and PRCD "opening"; ours is the first of them.
            theirs = {
                b["getAmount"]["getAmount"]
                for b in record.get("getBalances", []) if b["getType"] == kind
            }
            mine_balance = getattr(statement, f"{kind}_balance")
            if theirs:
                currency = statement.currency or "EUR"
                assert _minor(mine_balance, currency) in theirs


def _record_id(entry: dict[str, Any], records: list[dict[str, Any]]) -> str:
    record = entry["getRecord"]
    return str(record["getId"] if isinstance(record, dict) else records[-1]["getId"])


OCA = [
    ("camt053/oca_test-camt053.xml", "camt053/expected/oca_golden-camt053.pydata"),
    ("camt053/oca_test-camt053-txdtls.xml", "camt053/expected/oca_golden-camt053-txdtls.pydata"),
    ("camt053/oca_test-camt053-no-ntry.xml", "camt053/expected/oca_golden-camt053-no-ntry.pydata"),
    ("camt054/oca_test-camt054.xml", "camt054/expected/oca_golden-camt054.pydata"),
]


@pytest.mark.parametrize(("sample", "golden"), OCA, ids=lambda p: Path(p).stem)
def test_camt_agrees_with_oca(sample: str, golden: str) -> None:
    if not (SHARED_SAMPLES / sample).exists():
        pytest.skip(f"AGPL sample {sample} is read from {SHARED_SAMPLES}, absent here")
    expected = ast.literal_eval((SHARED_SAMPLES / golden).read_text(encoding="utf-8"))
    statements = parse((SHARED_SAMPLES / sample).read_bytes(), sample, check=False)
    if not expected:
        assert all(not s.transactions for s in statements)
        return
    currency, account, their_statements = expected
    if not their_statements:  # OCA drops a statement without entries
        assert all(not s.transactions for s in statements)
        return
    assert [s.account for s in statements] == [account] * len(their_statements)
    for mine, theirs in zip(statements, their_statements, strict=True):
        assert mine.statement_ref == theirs["name"]
        if mine.opening_balance is not None:
            assert mine.opening_balance == Decimal(str(theirs["balance_start"]))
            assert mine.closing_balance == Decimal(str(theirs["balance_end_real"]))
        assert len(mine.transactions) == len(theirs["transactions"])
        for tx, line in zip(mine.transactions, theirs["transactions"], strict=True):
            # The golden files hold Python floats; compare through their repr.
            assert tx.amount == Decimal(str(line["amount"]))
            assert tx.currency == currency
            assert tx.booking_date.isoformat() == line["date"]
            assert tx.payer_name == line.get("partner_name")
            assert tx.payer_iban == line.get("account_number")


CFONB_BALANCES = [
    # file, statements, first opening, first closing, first date (closing)
    ("cfonb120/silarhi_simple-test.txt", 1, "16695.65", "16695.65", "2020-04-06"),
    ("cfonb120/silarhi_complex-test.txt", 8, "16695.65", "16672.86", "2020-04-07"),
    ("cfonb120/silarhi_test-unused-parts.txt", 8, None, None, None),
    ("cfonb120/oca_cfonb_classic.cfo", 1, "1017311.89", "1031585.79", "2024-01-13"),
    ("cfonb120/oca_cfonb_no_carriage_return.cfo", 1, "1017311.89", "1031585.79", "2024-01-13"),
]


@pytest.mark.parametrize(("name", "count", "opening", "closing", "day"), CFONB_BALANCES,
                         ids=str)
def test_cfonb_balances_named_in_the_manifest(
    name: str, count: int, opening: str | None, closing: str | None, day: str | None
) -> None:
    path = SAMPLES / name if (SAMPLES / name).exists() else SHARED_SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} is read from {SHARED_SAMPLES}, absent here")
    statements = parse(path.read_bytes(), path.name)
    assert len(statements) == count
    first = statements[0]
    if opening is not None:
        assert (str(first.opening_balance), str(first.closing_balance)) == (opening, closing)
        assert first.closing_date is not None
        assert first.closing_date.isoformat() == day


def test_silarhi_first_operation() -> None:
    statements = parse((SAMPLES / "cfonb120/silarhi_complex-test.txt").read_bytes(), "x")
    (operation,) = statements[0].transactions
    assert operation.amount == Decimal("-22.79")
    assert "PRLV SEPA ONLINE SAS" in operation.details
    assert operation.remittance == "DEDIBOX 3706114"
    assert statements[0].account == "FR7610278022040001234560307"


def test_oca_cfonb_all_dated_and_reconciled() -> None:
    path = SHARED_SAMPLES / "cfonb120/oca_cfonb_classic.cfo"
    if not path.exists():
        pytest.skip("AGPL sample read from the shared folder, absent here")
    (statement,) = parse(path.read_bytes(), path.name)
    assert len(statement.transactions) == 13
    assert {t.booking_date.isoformat() for t in statement.transactions} == {"2024-01-13"}
