"""``o2c cash match`` on two cores: the parsing worker, look-ups in a forked child, the
memory handed back. Each gives what the one-process run gives (integration)."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hub.errors import BadDocument
from matching import cashmatch, lookups, parallel, statement_files
from tests.conftest import SAMPLES
from tests.matching.test_parallel import _case, _engine

HERE = SAMPLES / "cashapp"
STATEMENTS = ["statement.camt053.xml", "statement.mt940.sta", "statement.cfonb120.txt"]
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _run(tmp_path: Path, name: str, statements: list[Path]) -> cashmatch.MatchRun:
    return cashmatch.run(customers=HERE / "customers.csv", open_items=HERE / "open_items.csv",
                         statements=statements, history=HERE / "history.csv",
                         out=tmp_path / name)


def test_the_parsing_worker_reads_what_this_process_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes((HERE / "statement.camt053.xml").read_bytes()[:900])
    statements = [HERE / STATEMENTS[0], broken, HERE / STATEMENTS[1], HERE / STATEMENTS[2]]
    here = _run(tmp_path, "here.csv", statements)
    monkeypatch.setattr(statement_files, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    in_worker = []
    files = statement_files.StatementReading.files

    def spied(reading: statement_files.StatementReading, problems: list[str]) -> Any:
        in_worker.append(reading.pool is not None)
        return files(reading, problems)

    monkeypatch.setattr(statement_files.StatementReading, "files", spied)
    worker = _run(tmp_path, "worker.csv", statements)
    assert in_worker == [True]  # the files really went to the worker
    assert (tmp_path / "worker.csv").read_bytes() == (tmp_path / "here.csv").read_bytes()
    assert worker.problems == here.problems
    assert len(here.problems) == 1 and "broken.xml" in here.problems[0]


def test_the_parsing_worker_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statement_files, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    reading = statement_files.StatementReading([HERE / s for s in STATEMENTS], None)
    folder = reading.folder
    assert folder is not None and folder.is_dir()
    files = reading.files([])
    assert next(files)  # the first file read, the others still on their way
    files.close()
    assert not folder.exists()
    assert reading.pool is None


def test_a_run_stopped_by_bad_master_data_stops_the_parsing_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statement_files, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    made: list[tuple[statement_files.StatementReading, Path | None]] = []
    start = statement_files.StatementReading.__init__

    def spied(reading: statement_files.StatementReading, *args: Any) -> None:
        start(reading, *args)
        made.append((reading, reading.folder))

    monkeypatch.setattr(statement_files.StatementReading, "__init__", spied)
    headless = tmp_path / "customers.csv"
    headless.write_text("id,label\nC1,Acme\n", encoding="utf-8")
    with pytest.raises(BadDocument, match="header lacks"):
        cashmatch.run(customers=headless, open_items=HERE / "open_items.csv",
                      statements=[HERE / s for s in STATEMENTS], out=tmp_path / "m.csv")
    ((reading, folder),) = made
    assert folder is not None  # the files had gone to the worker
    assert not folder.exists()
    assert reading.pool is None
    assert not (tmp_path / "m.csv").exists()


@needs_fork
@pytest.mark.parametrize("seed", [1, 2])
def test_look_ups_on_two_cores_are_those_of_one(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _case(seed)
    engine = _engine(case)
    transactions = case[3]
    expected = [engine.context(t) for t in transactions]
    monkeypatch.setattr(lookups, "PARALLEL_LOOKUPS", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert lookups.can_fork_lookups(len(transactions))
    assert lookups.look_up(engine, transactions) == expected
    assert any(c.payers for c in expected) and any(c.exact for c in expected)
    assert any(c.refs.unresolved for c in expected) or any(c.hits for c in expected)


@needs_fork
def test_a_failed_look_up_child_is_made_up_for_here(monkeypatch: pytest.MonkeyPatch) -> None:
    case = _case(3)
    engine = _engine(case)
    expected = [engine.context(t) for t in case[3]]

    class FailedChild:
        def __init__(self, work: Any) -> None:
            pass

        def result(self) -> None:
            return None

    monkeypatch.setattr(lookups, "PARALLEL_LOOKUPS", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(lookups, "Child", FailedChild)
    assert lookups.look_up(engine, case[3]) == expected


def test_one_core_or_few_transactions_are_looked_up_here(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not lookups.can_fork_lookups(lookups.PARALLEL_LOOKUPS - 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not lookups.can_fork_lookups(10 * lookups.PARALLEL_LOOKUPS)


def test_packed_look_ups_come_back_equal() -> None:
    case = _case(8)
    engine = _engine(case)
    contexts = [engine.context(t) for t in case[3]]
    touched = [parallel.customers_touched(engine.ledger, c) for c in contexts]
    back = [lookups.unpack(engine, c.tx, lookups.pack(c)) for c in contexts]
    assert back == contexts
    assert [b.touched for b in back] == touched
    # The trusted hits stay the extraction's own list where they were.
    assert [b.hits is b.refs.hits for b in back] == [c.hits is c.refs.hits for c in contexts]


def test_what_a_paused_run_built_goes_to_the_oldest_generation() -> None:
    with cashmatch.paused_gc():
        built = [[n] for n in range(1000)]
    assert gc.isenabled()
    youngest = {id(o) for o in gc.get_objects(generation=0)}
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(built) not in youngest and id(built[0]) not in youngest
    assert id(built) in oldest and id(built[-1]) in oldest


def test_the_console_script_leaves_with_the_command_s_exit_code(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "o2c"
    if not script.exists():
        pytest.skip("the o2c console script is not installed beside this interpreter")
    args = [str(script), "cash", "match", "--customers", str(HERE / "customers.csv"),
            "--open-items", str(HERE / "open_items.csv"), "--history",
            str(HERE / "history.csv")]
    good = subprocess.run([*args, "--statement", str(HERE / STATEMENTS[0]), "--out",
                           str(tmp_path / "good.csv")], capture_output=True, text=True,
                          check=False)
    assert good.returncode == 0, good.stderr
    assert "rows written to" in good.stderr  # flushed before leaving
    _run(tmp_path, "expected.csv", [HERE / STATEMENTS[0]])
    assert (tmp_path / "good.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<Document>")
    bad = subprocess.run([*args, "--statement", str(broken), "--out",
                          str(tmp_path / "bad.csv")], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 1
    assert "broken.xml" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("statement", STATEMENTS)
def test_transactions_come_back_whole_from_the_parsing_worker(statement: str) -> None:
    parsed = statement_files.default_parser()((HERE / statement).read_bytes(), statement)
    transactions = [t for s in parsed for t in s.transactions]
    assert transactions
    back = pickle.loads(pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL))
    assert back == parsed
    assert [vars(t) for s in back for t in s.transactions] == [vars(t) for t in transactions]
