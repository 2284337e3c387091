"""EDIFACT extraction benchmark: o2c's streaming extractor against pydifact's own parse.

Generates one ORDERS interchange (10,000 messages of 20 lines; ``--small``: 2,000),
then measures in the same run:

- the ``o2c extract`` command on the file (JSON Lines to a pipe);
- pydifact's bare parse (``Parser().parse`` over the decoded text, segments counted and
  dropped): the ceiling the extractor is compared with;
- o2c's full extraction to validated canonical orders, streamed from the file
  (``connectors.edi.edifact.iter_results``, what large interchanges go through) and
  through ``EdifactExtractor.extract`` on the document in memory (``o2c extract``);
- peak traced memory (tracemalloc) of the streamed extraction at a quarter of the size
  and at full size, to show it stays flat as the interchange grows.

Usage: ``.venv/bin/python bench/edi.py [--small]``. Prints the figures and writes them to
``bench/results/edi.md``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The bench folder holds scripts named like standard modules (email.py): never import from it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from pydifact.parser import Parser  # noqa: E402

from connectors.edi.edifact import EdifactExtractor, iter_results  # noqa: E402
from hub.documents import RawDocument  # noqa: E402

LINES = 20


def message(number: int) -> list[str]:
    """The segments of one generated ORDERS message (UNH..UNT)."""
    ref = f"M{number}"
    body = [
        f"UNH+{ref}+ORDERS:D:96A:UN:EAN008",
        f"BGM+220+PO{number:08d}+9",
        "DTM+137:20250310:102",
        "DTM+2:20250317:102",
        "NAD+BY+5412345000013::9",
        "NAD+SU+5498765000019::9",
        "NAD+DP+5412345000020::9",
        "CUX+2:EUR:9",
    ]
    for line in range(1, LINES + 1):
        body += [
            f"LIN+{line}++40063813{line:05d}:EN",
            f"PIA+1+ART-{line:04d}:IN",
            f"QTY+21:{line * 3}:PCE",
            f"PRI+AAA:{line}.25",
        ]
    body += ["UNS+S", f"CNT+2:{LINES}"]
    body.append(f"UNT+{len(body) + 1}+{ref}")
    return body


def generate(path: Path, messages: int) -> None:
    """Write an interchange of ``messages`` messages, one segment per line."""
    with path.open("w", encoding="ascii") as out:
        out.write("UNA:+.? '\nUNB+UNOC:3+5412345000013:14+5498765000019:14+250310:0830+BENCH1'\n")
        for number in range(1, messages + 1):
            out.write("'\n".join(message(number)) + "'\n")
        out.write(f"UNZ+{messages}+BENCH1'\n")


def pydifact_parse(path: Path) -> int:
    """pydifact's own parse of the file: segments produced and dropped."""
    text = path.read_text(encoding="latin-1")
    return sum(1 for _ in Parser().parse(text))


def o2c_stream(path: Path) -> int:
    """o2c's extraction streamed from the file: canonical orders built and dropped."""
    with path.open("rb") as stream:
        return sum(1 for r in iter_results(stream, sha256="0" * 64) if r.order is not None)


def o2c_extract(path: Path) -> int:
    """``EdifactExtractor.extract`` on the document in memory (all orders kept)."""
    raw = RawDocument(path.read_bytes(), path.name, channel="edi")
    return len(EdifactExtractor().extract(raw))


def o2c_cli(path: Path) -> int:
    """The ``o2c extract`` command on the file, JSON Lines counted (start-up included)."""
    command = [str(ROOT / ".venv" / "bin" / "o2c"), "extract", str(path)]
    done = subprocess.run(command, capture_output=True, check=False)
    return done.stdout.count(b"\n")


def timed(run: Callable[[Path], int], path: Path) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    count = run(path)
    return time.perf_counter() - start, count


def peak(run: Callable[[Path], int], path: Path) -> float:
    """Peak traced memory in MiB while ``run`` works on ``path``."""
    gc.collect()
    tracemalloc.start()
    run(path)
    _current, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / 1048576


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="2,000 messages instead of 10,000")
    args = parser.parse_args()
    # pydifact warns once per segment type that it has no directory to validate against.
    warnings.simplefilter("ignore")
    full = 2000 if args.small else 10000
    quarter = full // 4
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "big.edi", Path(folder) / "quarter.edi"
        generate(big, full)
        generate(small, quarter)
        report = measure(big, small, full, quarter)
    command = "python bench/edi.py" + (" --small" if args.small else "")
    write_report(report, command)


def measure(big: Path, small: Path, full: int, quarter: int) -> list[tuple[str, str]]:
    size = big.stat().st_size / 1048576
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    pyd_time, segments = timed(pydifact_parse, big)
    stream_time, orders = timed(o2c_stream, big)
    extract_time, extracted = timed(o2c_extract, big)
    cli_time, printed = timed(o2c_cli, big)
    assert orders == extracted == printed == full, (orders, extracted, printed)
    pyd_rate, stream_rate, extract_rate = full / pyd_time, full / stream_time, full / extract_time
    mem_small, mem_big = peak(o2c_stream, small), peak(o2c_stream, big)
    pyd_mem_small = peak(pydifact_parse, small)
    return [
        ("interchange", f"{full} ORDERS messages x {LINES} lines, {segments} segments, "
                        f"{size:.1f} MiB (sha256 {digest[:12]})"),
        ("pydifact 0.2.3 bare parse (ceiling)", f"{pyd_rate:,.0f} messages/s ({pyd_time:.1f} s)"),
        ("o2c streamed extraction to canonical orders", f"{stream_rate:,.0f} messages/s "
                                                       f"({stream_time:.1f} s)"),
        ("o2c EdifactExtractor.extract (in memory, all orders kept)",
         f"{extract_rate:,.0f} messages/s ({extract_time:.1f} s)"),
        ("o2c extract command (JSON Lines out, start-up included)",
         f"{full / cli_time:,.0f} messages/s ({cli_time:.1f} s)"),
        ("ratio streamed / pydifact (aim >= 1.0)", f"{stream_rate / pyd_rate:.2f}"),
        ("ratio o2c extract command / pydifact", f"{full / cli_time / pyd_rate:.2f}"),
        ("ratio extract / pydifact", f"{extract_rate / pyd_rate:.2f}"),
        (f"o2c streamed peak memory, {quarter} messages", f"{mem_small:.2f} MiB"),
        (f"o2c streamed peak memory, {full} messages", f"{mem_big:.2f} MiB"),
        ("memory growth for 4x the messages (flat = about 1.0)", f"{mem_big / mem_small:.2f}x"),
        (f"pydifact parse peak memory, {quarter} messages (whole text held)",
         f"{pyd_mem_small:.2f} MiB"),
    ]


def write_report(rows: list[tuple[str, str]], command: str) -> None:
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (f"2 cores (shared; load average {load} at the end), {platform.machine()}, "
               f"Python {platform.python_version()}")
    lines = [
        "# EDIFACT extraction benchmark",
        "",
        f"- date: {today}",
        f"- machine: {machine}",
        f"- command: `.venv/bin/{command}`",
        "- the machine is shared with other work while this runs, so absolute figures are",
        "  noisy; the ratio against pydifact, measured in the same run, is what counts.",
        "",
        "| measure | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "results" / "edi.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
