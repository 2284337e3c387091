"""The ``o2c`` command line as the contract describes it: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from hub.cli import main
from tests.conftest import SAMPLES

SHEET = SAMPLES / "sheets" / "fr_semicolon_cp1252.csv"
EDIFACT = SAMPLES / "edifact" / "pydifact_order.unz-added.edi"
CUSTOMERS = (
    "customer_id,name,vat_id,siret,gln,ibans,email_domains,credit_limit,currency,"
    "payment_terms_days,sales_rep\n"
    "C0042,Boulangerie Martin SARL,FR40303265045,30326504500017,,,,10000,EUR,30,rep1\n"
)


@pytest.fixture
def workdir(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder whose o2c database is the test's database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("O2C_DATABASE_URL", db_url)
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "o2c.toml"))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_extract_prints_schema_valid_json_lines(capsys, order_schema) -> None:
    code, out, err = run(capsys, "extract", str(SHEET), str(EDIFACT))
    assert code == 0, err
    orders = [json.loads(line) for line in out.splitlines()]
    assert len(orders) == 2
    for order in orders:
        jsonschema.validate(order, order_schema)
    assert {o["source"]["format"] for o in orders} == {"csv", "edifact-d96a-orders"}


def test_extract_reports_bad_files_on_one_line_and_goes_on(capsys, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\xff\x10garbage" * 20)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "extract", str(junk), str(SHEET), str(empty))
    assert code == 1
    assert len(out.splitlines()) == 1
    lines = err.strip().splitlines()
    assert lines == [f"{junk}: no extractor recognises this document format",
                     f"{empty}: empty file"]
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys) -> None:
    code, _out, err = run(capsys, "queue", "list", "--status")
    assert code == 2
    assert "requires an argument" in err
    assert run(capsys, "no-such-command")[0] == 2


def test_masterdata_load_ingest_queue_and_run(capsys, workdir: Path) -> None:
    folder = workdir / "md"
    folder.mkdir()
    (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    assert run(capsys, "masterdata", "load", str(folder))[0] == 0
    code, _out, err = run(capsys, "ingest", str(SHEET))
    assert code == 0, err
    assert "1 orders new" in err
    code, out, _err = run(capsys, "queue", "list", "--json")
    (listed,) = [json.loads(line) for line in out.splitlines()]
    assert set(listed) >= {"order_id", "buyer_order_number", "status", "customer_id",
                           "group_id", "channel", "exceptions"}
    assert listed["status"] == "extracted" and listed["channel"] == "file"
    assert run(capsys, "run", "validate")[0] == 0
    code, out, _err = run(capsys, "queue", "show", listed["order_id"], "--json")
    shown = json.loads(out)
    assert shown["order"]["buyer"]["customer_id"] == "C0042"
    assert [step["status"] for step in shown["timeline"]][:1] == ["extracted"]


def test_ingest_twice_is_idempotent_and_says_so(capsys, workdir: Path) -> None:
    assert run(capsys, "ingest", str(SHEET))[0] == 0
    code, _out, err = run(capsys, "ingest", str(SHEET))
    assert code == 1
    assert f"{SHEET}: already ingested as DOC-" in err
    code, out, _err = run(capsys, "queue", "list", "--json")
    assert len(out.splitlines()) == 1


def test_ingest_keeps_bad_documents_and_goes_on(capsys, workdir: Path) -> None:
    inbox = workdir / "inbox"
    inbox.mkdir()
    (inbox / "a\\..\\..\\passwd.csv").write_bytes(b"")  # a name that tries to climb
    (inbox / "garbage.bin").write_bytes(b"\x89\x00\x01" * 100)
    (inbox / "order.csv").write_bytes(SHEET.read_bytes())
    code, _out, err = run(capsys, "ingest", str(inbox))
    assert code == 1
    assert "ingested 3 document(s): 1 orders new; 2 with problems" in err
    assert "empty file" in err and "no reader recognises" in err
    code, out, _err = run(capsys, "queue", "list", "--json")
    assert len(out.splitlines()) == 1


def test_queue_show_of_an_unknown_order_exits_1(capsys, workdir: Path) -> None:
    assert run(capsys, "queue", "show", "ORD-NOPE")[0] == 1


def test_the_console_script_runs_without_a_traceback(tmp_path: Path) -> None:
    o2c = Path(sys.executable).with_name("o2c")
    result = subprocess.run([str(o2c), "masterdata", "load", str(tmp_path / "missing")],
                            capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"o2c: {tmp_path / 'missing'}: not a folder"
