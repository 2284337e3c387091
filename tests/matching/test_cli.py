"""``o2c cash match``: the contract's command, files in, matches.csv out (integration)."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from hub.cli import main
from tests.conftest import SAMPLES
from tests.golden import assert_golden

HERE = SAMPLES / "cashapp"
STATEMENTS = ["statement.camt053.xml", "statement.mt940.sta", "statement.cfonb120.txt"]


def match(tmp_path: Path, *statements: str, open_items: Path | None = None,
          history: bool = True) -> tuple[int, list[dict[str, str]]]:
    out = tmp_path / "matches.csv"
    args = ["cash", "match", "--customers", str(HERE / "customers.csv"),
            "--open-items", str(open_items or HERE / "open_items.csv"), "--out", str(out)]
    for name in statements:
        args += ["--statement", str(HERE / name) if "/" not in name else name]
    if history:
        args += ["--history", str(HERE / "history.csv")]
    code = main(args)
    rows = list(csv.DictReader(out.open(encoding="utf-8"))) if out.exists() else []
    return code, rows


@pytest.mark.parametrize("statement", STATEMENTS)
def test_every_format_gives_the_expected_matches(tmp_path: Path, statement: str):
    code, rows = match(tmp_path, statement, "statement-usd.camt053.xml")
    assert code == 0
    assert_golden(rows, HERE / "matches.json")


def test_matches_keep_the_contract(tmp_path: Path):
    _, rows = match(tmp_path, "statement.camt053.xml")
    assert list(rows[0]) == ["transaction_id", "booking_date", "amount", "currency",
                             "payer_name", "invoice_id", "applied_amount", "status",
                             "confidence", "reason"]
    by_tx: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_tx[row["transaction_id"]].append(row)
    for tx_rows in by_tx.values():
        assert len({r["status"] for r in tx_rows}) == 1
        applied = sum(Decimal(r["applied_amount"]) for r in tx_rows)
        assert applied <= abs(Decimal(tx_rows[0]["amount"]))
        assert 0.0 <= float(tx_rows[0]["confidence"]) <= 1.0
        if not tx_rows[0]["invoice_id"]:
            assert len(tx_rows) == 1


def test_history_teaches_a_payer(tmp_path: Path):
    _, rows = match(tmp_path, "statement.camt053.xml", history=False)
    learned = {r["transaction_id"]: r["status"] for r in rows}
    assert learned["0000007"] != "auto"


def test_bad_open_items_get_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    bad = tmp_path / "open_items.csv"
    lines = (HERE / "open_items.csv").read_text(encoding="utf-8").splitlines()
    lines += [
        "FA-2026-000102,C001,2026-10-02,2026-11-01,EUR,300.00,300.00,",
        "FA-2026-000900,C001,2026-10-02,2026-11-01,EUR,-50.00,-50.00,",
        "FA-2026-000901,C999,2026-10-02,2026-11-01,EUR,50.00,50.00,",
        "FA-2026-000902,C001,2026-13-02,2026-11-01,EUR,50.00,50.00,",
    ]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, rows = match(tmp_path, "statement.camt053.xml", open_items=bad)
    err = capsys.readouterr().err
    problems = [line for line in err.splitlines() if "open_items.csv: row" in line]
    assert code == 1
    assert len(problems) == 5  # two rows of the duplicated id, negative, unknown, bad date
    assert any("duplicate invoice_id FA-2026-000102" in p for p in problems)
    assert any("negative amount" in p for p in problems)
    assert any("unknown customer 'C999'" in p for p in problems)
    assert "Traceback" not in err
    # The rest of the batch went on; nothing was applied to the ambiguous invoice.
    assert rows
    assert all(r["invoice_id"] != "FA-2026-000102" for r in rows)


def test_unreadable_statement_is_one_line_and_the_others_go_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    broken = tmp_path / "broken.xml"
    broken.write_bytes((HERE / "statement.camt053.xml").read_bytes()[:900])
    code, rows = match(tmp_path, str(broken), "statement.mt940.sta")
    err = capsys.readouterr().err
    assert code == 1
    assert "broken.xml" in err
    assert "Traceback" not in err
    assert {r["transaction_id"] for r in rows} >= {"0000001", "0000009"}


def test_statement_in_a_currency_without_open_items(tmp_path: Path):
    code, rows = match(tmp_path, "statement-usd.camt053.xml")
    assert code == 0
    assert [(r["status"], r["invoice_id"], r["reason"]) for r in rows] == [
        ("unmatched", "", "[non_customer] no open items in USD")]


def test_usage_error_exits_2(tmp_path: Path):
    assert main(["cash", "match", "--customers", str(HERE / "customers.csv")]) == 2
