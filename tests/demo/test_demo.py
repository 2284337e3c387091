"""Acceptance: the demo that ``make run`` starts, from its documents to the queue.

The demo promises a high touchless rate, every exception type of the contract at least
once, one bank statement per format, and auto, suggested and unmatched payments with a
payer finance tied by hand that the next statement learns from. This runs the demo's
own documents through the same commands as ``scripts/run.sh`` (without the servers).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from demo.generate import generate
from hub.cli import main
from hub.db import Database
from hub.tables import BankTransactionRow, DocumentRow

CONTRACTS = Path(__file__).resolve().parents[2].parent / "shared" / "contracts" / "CONTRACTS.md"
CHANNELS = ("inbox", "edi", "mail", "fax")
#: Exception reasons the contract lists (CONTRACTS.md, "Exception reasons") that belong
#: to an order; ``UNREADABLE_DOCUMENT`` belongs to the document no order came from.
REASONS = {
    "UNKNOWN_CUSTOMER", "AMBIGUOUS_CUSTOMER", "UNKNOWN_SHIP_TO", "UNKNOWN_PRODUCT",
    "PRICE_MISMATCH", "MISSING_FIELD", "INVALID_VALUE", "LOW_CONFIDENCE", "DUPLICATE_ORDER",
    "DELIVERY_DATE_INVALID", "QUANTITY_ANOMALY", "CREDIT_LIMIT_EXCEEDED", "OVERDUE_BALANCE",
    "CUSTOMER_BLOCKED",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo written, loaded, ingested and run through validation and matching."""
    root = tmp_path_factory.mktemp("demo")
    generate(root / "demo", datetime.now(ZoneInfo("Europe/Paris")).date())
    (root / "o2c.toml").write_text(
        f'[hub]\ndatabase_url = "sqlite:///{root}/o2c.db"\ntimezone = "Europe/Paris"\n'
        f'outbox = "{root}/outbox"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("O2C_CONFIG", str(root / "o2c.toml"))
        patch.delenv("O2C_DATABASE_URL", raising=False)
        assert main(["masterdata", "load", str(root / "demo" / "masterdata")]) == 0
        for channel in (*CHANNELS, "statements"):
            # 1: each channel holds one bad document on purpose, reported, not fatal.
            assert main(["ingest", str(root / "demo" / channel)]) in (0, 1)
        assert main(["run", "validate"]) == 0
        assert main(["run", "match"]) == 0
    return root


def _orders(demo: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(demo)
        patch.setenv("O2C_CONFIG", str(demo / "o2c.toml"))
        capsys.readouterr()
        assert main(["queue", "list", "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_contract_still_lists_these_reasons() -> None:
    if not CONTRACTS.exists():
        pytest.skip("../shared/contracts is not beside this clone")
    text = CONTRACTS.read_text(encoding="utf-8")
    listed = text[text.index("Exception reasons"):].split(".", 1)[0]
    assert set(re.findall(r"`([A-Z_]+)`", listed)) == {*REASONS, "UNREADABLE_DOCUMENT"}


def test_every_exception_type_shows_at_least_once(demo: Path, capsys) -> None:
    orders = _orders(demo, capsys)
    reasons = Counter(e["reason"] for o in orders for e in o["exceptions"])
    assert set(reasons) == REASONS, f"missing: {REASONS - set(reasons)}"


def test_unreadable_documents_are_kept_with_their_reason(demo: Path) -> None:
    with Database(f"sqlite:///{demo}/o2c.db").session(read_only=True) as session:
        failed = dict(session.execute(select(DocumentRow.name, DocumentRow.error_code)
                                      .where(DocumentRow.status == "failed")).all())
    assert failed["fax-vierge.tif"] == "BLANK_PAGE"
    assert "UNREADABLE_DOCUMENT" in failed.values(), failed


def test_every_order_ends_validated_or_exception_mostly_touchless(demo: Path, capsys) -> None:
    orders = _orders(demo, capsys)
    statuses = Counter(o["status"] for o in orders)
    assert set(statuses) == {"validated", "exception"}
    assert statuses["validated"] / len(orders) >= 0.7
    everyday = [o for o in orders if re.fullmatch(r"CMD-\d{4}-\d{3}", str(o["buyer_order_number"]))]
    assert len(everyday) == 37
    assert all(o["status"] == "validated" for o in everyday)


def test_the_hundredfold_weekly_order_is_a_quantity_anomaly(demo: Path, capsys) -> None:
    weekly = sorted((o for o in _orders(demo, capsys)
                     if str(o["buyer_order_number"]).startswith("HEB-")),
                    key=lambda o: str(o["buyer_order_number"]))
    assert [o["status"] for o in weekly] == ["validated"] * 3 + ["exception"]
    assert [e["reason"] for e in weekly[-1]["exceptions"]] == ["QUANTITY_ANOMALY"]


def test_payments_are_auto_suggested_and_unmatched(demo: Path) -> None:
    with Database(f"sqlite:///{demo}/o2c.db").session(read_only=True) as session:
        rows = session.execute(select(BankTransactionRow.status, BankTransactionRow.payer_name,
                                      BankTransactionRow.remittance)).all()
    statuses = Counter(status for status, _payer, _text in rows)
    assert statuses["unmatched"] >= 2 and statuses["suggested"] >= 1
    assert statuses["posted"] >= 10  # auto-applied, then written to the posting export
    # The payer finance tied to its customer by hand (history.csv) is applied this time.
    learnt = [s for s, payer, _t in rows if payer == "SCI LES TILLEULS"]
    assert learnt == ["posted"]
    fees = [s for s, _p, text in rows if text == "FRAIS TENUE DE COMPTE"]
    assert fees == ["unmatched"]
    assert not any("Ã" in (text or "") for _s, _p, text in rows), "mis-decoded remittance"
