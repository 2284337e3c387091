"""E-mail channel benchmark: a real Dovecot mailbox read end to end into orders.

1. Throughput. 2,000 messages (``--small``: 200), half typed orders in the body, a
   quarter with a text-PDF purchase order attached, a quarter with a CSV order sheet,
   are appended to a fresh mailbox of the Dovecot on loopback. Measured in the same run:

   - the ceiling: the bare IMAP read of every message (``BODY.PEEK[]`` in batches of 50,
     bytes dropped), which no reader of this mailbox can beat;
   - extraction alone (the registry reading each message in memory);
   - end to end: ``ImapTransport`` + the hub's intake (raw bytes stored, orders
     extracted and enqueued in SQLite) + the move of each message to its folder.

2. Accuracy against known truth, on generated corpora: typed orders in the body
   (``tests/email/corpus.py``) and text-PDF orders attached to a mail (the PDF corpus of
   ``tests/fax_ocr/corpus.py``). Header-field accuracy and line accuracy (item code,
   quantity and unit price all right; a missing or extra line counts as wrong).

Usage: ``.venv/bin/python bench/email.py [--small] [--port 1143] [--db URL]``.
The Dovecot of ``make test`` or the dev server (``O2C_TEST_IMAP_PORT``, default 1143,
password ``secret``). Prints the figures and writes ``bench/results/email.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's ``email`` package; its own folder must
# leave the import path before anything imports ``email``.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from email.message import EmailMessage  # noqa: E402
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

from imapclient import IMAPClient  # noqa: E402
from rich.progress import Progress  # noqa: E402

from connectors.base import RawDocument, Registry  # noqa: E402
from connectors.email.imap import ImapConfig, ImapTransport  # noqa: E402
from connectors.email.ledger import MailboxLedger  # noqa: E402
from connectors.email.lines import read_line  # noqa: E402
from connectors.email.poll import poll_mailbox  # noqa: E402
from connectors.intake import OrderHandler  # noqa: E402
from hub.db import Database  # noqa: E402
from hub.intake import ingest  # noqa: E402
from tests.email.corpus import make_body  # noqa: E402
from tests.email.heldout import HELD_OUT  # noqa: E402
from tests.fax_ocr.corpus import make_spec  # noqa: E402
from tests.fax_ocr.render import render_pdf  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = os.environ.get("O2C_TEST_IMAP_PASS", "secret")
CSV = (ROOT / "tests" / "samples" / "sheets" / "fr_semicolon_utf8_bom.csv").read_bytes()
HEADER_FIELDS = ("buyer_order_number", "order_date", "requested_delivery_date", "currency")
PDF_HEADER_FIELDS = (*HEADER_FIELDS, "total_amount")


def attached(seed: int, data: bytes, subtype: str, filename: str) -> bytes:
    """A short cover mail with one attachment."""
    mail = EmailMessage()
    mail["From"] = "Achats <achats@client-bench.fr>"
    mail["To"] = "commandes@distrinord.example"
    mail["Subject"] = f"Commande {seed}"
    mail["Date"] = "Tue, 17 Nov 2026 08:41:07 +0100"
    mail["Message-ID"] = f"<att-{seed}@client-bench.fr>"
    mail.set_content("Bonjour,\nci-joint notre commande.\nCordialement\n")
    maintype = "text" if subtype == "csv" else "application"
    mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(mail)


def mixed_messages(count: int) -> list[bytes]:
    """Half body orders, a quarter PDF attachments, a quarter CSV attachments."""
    messages = []
    for seed in range(count):
        kind = seed % 4
        if kind in (0, 2):
            messages.append(bytes(make_body(seed).message()))
        elif kind == 1:
            messages.append(attached(seed, render_pdf(make_spec(seed)), "pdf", f"po-{seed}.pdf"))
        else:
            messages.append(attached(seed, CSV, "csv", f"commande-{seed}.csv"))
    return messages


CPU: dict[str, float] = {}


def timed(action: Callable[[], Any], label: str = "") -> tuple[float, Any]:
    """Wall seconds of the action (its CPU seconds in this process go to ``CPU[label]``)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    CPU[label] = time.process_time() - cpu
    return time.perf_counter() - start, result


def append_all(port: int, user: str, messages: list[bytes]) -> None:
    with IMAPClient(HOST, port=port, ssl=False, timeout=30) as client:
        client.login(user, PASSWORD)
        for content in messages:
            client.append("INBOX", content)


def bare_read(port: int, user: str) -> int:
    """The ceiling: every message's bytes over IMAP, nothing else."""
    total = 0
    with IMAPClient(HOST, port=port, ssl=False, timeout=30) as client:
        client.login(user, PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        for start in range(0, len(uids), 50):
            for item in client.fetch(uids[start : start + 50], ["BODY.PEEK[]"]).values():
                total += len(item[b"BODY[]"])
    return len(uids)


KINDS = ("typed order in the body", "text-PDF attachment", "CSV attachment")


def extract_all(registry: Registry, messages: list[bytes]) -> tuple[int, dict[str, float]]:
    """Orders found in memory, and the CPU seconds spent per kind of message."""
    orders = 0
    cpu = dict.fromkeys(KINDS, 0.0)
    for number, content in enumerate(messages):
        start = time.process_time()
        orders += len(registry.extract(RawDocument(content=content, name=f"{number}.eml")))
        cpu[KINDS[(0, 1, 0, 2)[number % 4]]] += time.process_time() - start
    return orders, cpu


def end_to_end(port: int, user: str, db: Database, registry: Registry, count: int) -> Any:
    config = ImapConfig(host=HOST, port=port, security="none", user=user,
                        password_env="O2C_BENCH_IMAP_PASSWORD")
    os.environ["O2C_BENCH_IMAP_PASSWORD"] = PASSWORD
    store = partial(ingest, handlers=[OrderHandler(registry)])
    with Progress() as progress, ImapTransport(
        config, ledger=MailboxLedger(db, f"{user}@{HOST}:{port}")
    ) as transport:
        task = progress.add_task("mailbox to orders", total=count)
        return poll_mailbox(transport, db, store=store,
                            progress=lambda _r: progress.advance(task))


def throughput(port: int, count: int, db_url: str | None, registry: Registry) -> dict[str, Any]:
    user = f"bench-{uuid.uuid4().hex[:8]}@example.test"
    messages = mixed_messages(count)
    append_s, _ = timed(lambda: append_all(port, user, messages))
    read_s, read = timed(lambda: bare_read(port, user))
    extract_s, (orders, cpu) = timed(lambda: extract_all(registry, messages), "extract")
    with tempfile.TemporaryDirectory() as folder:
        db = Database(db_url or f"sqlite:///{folder}/bench.db")
        e2e_s, result = timed(lambda: end_to_end(port, user, db, registry, count), "e2e")
        db.dispose()
    assert read == count, f"{read} messages in the mailbox, {count} appended"
    return {"messages": count, "bytes": sum(map(len, messages)), "append_s": append_s,
            "read_s": read_s, "extract_s": extract_s, "orders_in_memory": orders, "cpu": cpu,
            "extract_cpu": CPU["extract"], "e2e_cpu": CPU["e2e"],
            "e2e_s": e2e_s, "e2e_orders": result.orders, "processed": result.processed,
            "quarantined": result.quarantined, "problems": result.problems[:5]}


def score(found: list[dict[str, Any]], expected: dict[str, Any], fields: Iterable[str],
          lines: list[tuple[Any, Any, Any]]) -> tuple[int, int, int, int]:
    """(header right, header total, lines right, lines total) for one document."""
    fields = tuple(fields)
    if len(found) != 1:
        return 0, len(fields), 0, len(expected["lines"])
    order = found[0]
    header = sum(order.get(f) == expected[f] for f in fields)
    got = [(x["seller_item_code"] or x["buyer_item_code"] or x["gtin"], x["quantity"],
            x["unit_price"]) for x in order["lines"]]
    right = sum(g == e for g, e in zip(got, lines, strict=False))
    return header, len(fields), right, max(len(got), len(lines))


def read_orders(registry: Registry, content: bytes, name: str) -> list[dict[str, Any]]:
    try:
        return [o.to_json_dict() for o in registry.extract(RawDocument(content=content, name=name))]
    except Exception:  # a failed reading scores zero; the benchmark goes on
        return []


def accuracy(registry: Registry, bodies: int, pdfs: int) -> dict[str, Any]:
    totals = {"body": [0, 0, 0, 0], "pdf": [0, 0, 0, 0]}
    for seed in range(10_000, 10_000 + bodies):
        spec = make_body(seed)
        expected = spec.expected()
        found = read_orders(registry, bytes(spec.message()), f"body-{seed}.eml")
        for i, v in enumerate(score(found, expected, HEADER_FIELDS, expected["lines"])):
            totals["body"][i] += v
    for seed in range(20_000, 20_000 + pdfs):
        pdf_spec = make_spec(seed)
        expected = pdf_spec.expected()
        lines = [(x["seller_item_code"], x["quantity"], x["unit_price"]) for x in expected["lines"]]
        content = attached(seed, render_pdf(pdf_spec), "pdf", f"po-{seed}.pdf")
        found = read_orders(registry, content, f"pdf-{seed}.eml")
        for i, v in enumerate(score(found, expected, PDF_HEADER_FIELDS, lines)):
            totals["pdf"][i] += v
    held_out = sum(_held_out_right(text, truth) for text, truth in HELD_OUT)
    return {"bodies": bodies, "pdfs": pdfs, "held_out": held_out,
            **{k: tuple(v) for k, v in totals.items()}}


def _held_out_right(text: str, truth: tuple[str, str, str | None] | None) -> bool:
    line = read_line(text)
    if line is None:
        return truth is None
    price = None if line.unit_price is None else str(line.unit_price)
    return (line.seller_item_code or line.buyer_item_code or line.gtin, str(line.quantity),
            price) == truth


def report(args: argparse.Namespace, speed: dict[str, Any], acc: dict[str, Any]) -> str:
    n = speed["messages"]
    ceiling, e2e, extract = n / speed["read_s"], n / speed["e2e_s"], n / speed["extract_s"]
    per_kind = {KINDS[0]: (n + 1) // 2, KINDS[1]: (n + 2) // 4, KINDS[2]: n // 4}
    cpu_ms = {k: 1000 * speed["cpu"][k] / max(per_kind[k], 1) for k in KINDS}
    bh, bt, bl, blt = acc["body"]
    ph, pt, pl, plt = acc["pdf"]
    command = "python bench/email.py" + (" --small" if args.small else "")
    return "\n".join([
        "# E-mail channel benchmark", "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, shared with other work (absolute figures are noisy; "
        "the same-run ratio is what counts)",
        f"- command: `.venv/bin/{command}` (Dovecot on 127.0.0.1:{args.port}, "
        f"database {'SQLite file' if not args.db else 'given URL'})", "",
        "## 1. Mailbox to orders", "",
        f"{n} messages ({speed['bytes'] / 1048576:.1f} MB): 1/2 typed orders, 1/4 text-PDF "
        "attachments, 1/4 CSV attachments.", "",
        "| step | wall seconds | messages/s | CPU seconds (this process) |",
        "| --- | ---: | ---: | ---: |",
        f"| append to Dovecot (setup) | {speed['append_s']:.2f} | {n / speed['append_s']:.0f} | |",
        f"| **ceiling**: bare IMAP read of every message | {speed['read_s']:.2f} | "
        f"{ceiling:.0f} | |",
        f"| extraction alone, in memory | {speed['extract_s']:.2f} | {extract:.1f} | "
        f"{speed['extract_cpu']:.1f} |",
        f"| **end to end**: IMAP read + raw store + extract + enqueue + move | "
        f"{speed['e2e_s']:.2f} | **{e2e:.1f}** | {speed['e2e_cpu']:.1f} |", "",
        f"End to end / ceiling (bare IMAP read): **{e2e / ceiling:.3f}**; extraction alone / "
        f"ceiling: {extract / ceiling:.3f}. End to end / extraction alone: "
        f"**{e2e / extract:.2f}** (wall), {speed['extract_cpu'] / speed['e2e_cpu']:.2f} (CPU): "
        "the share of the time the readers themselves take; the rest is the channel (IMAP, "
        "raw store, queue, ledger, moves). Orders enqueued: "
        f"{speed['e2e_orders']} "
        f"(in memory: {speed['orders_in_memory']}); moved to Processed: {speed['processed']}, "
        f"to Quarantine: {speed['quarantined']}.", "",
        "CPU time of the extraction per message, by kind (CPU time is less disturbed by "
        "the other work on the machine than wall time):", "",
        "| kind | messages | CPU ms per message |", "| --- | ---: | ---: |",
        *[f"| {kind} | {per_kind[kind]} | {cpu_ms[kind]:.1f} |" for kind in KINDS], "",
        "## 2. Extraction accuracy against known truth", "",
        "| corpus | documents | header fields right | lines right (code + qty + price) |",
        "| --- | ---: | ---: | ---: |",
        f"| typed orders in the body | {acc['bodies']} | {bh}/{bt} = {bh / max(bt, 1):.1%} | "
        f"{bl}/{blt} = **{bl / max(blt, 1):.1%}** (aim >= 95%) |",
        f"| text-PDF orders attached to a mail | {acc['pdfs']} | {ph}/{pt} = "
        f"{ph / max(pt, 1):.1%} | {pl}/{plt} = **{pl / max(plt, 1):.1%}** (aim >= 98%) |",
        f"| held-out lines, written after the reader and never tuned on "
        f"(`tests/email/heldout.py`) | {len(HELD_OUT)} lines | | "
        f"{acc['held_out']}/{len(HELD_OUT)} = **{acc['held_out'] / len(HELD_OUT):.1%}** |", "",
        "Header fields: order number, order date, requested delivery date, currency (and the "
        "total for PDFs). A missing or extra line counts as a wrong line. The typed-order "
        "corpus is generated by `tests/email/corpus.py`, written alongside the reader, so "
        "these figures show the reader keeps every phrasing it was built for; mails written "
        "by real customers score lower, as the held-out lines show (their misses: item codes "
        "without a digit such as `GA-NIT-M`, a bare numeric code after `ea.`, a currency "
        "code written before the price).", "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="200 messages, small corpora")
    parser.add_argument("--port", type=int, default=int(os.environ.get("O2C_TEST_IMAP_PORT",
                                                                        "1143")))
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    registry = Registry.default()
    count, bodies, pdfs = (200, 200, 40) if args.small else (2000, 1000, 200)
    speed = throughput(args.port, count, args.db, registry)
    acc = accuracy(registry, bodies, pdfs)
    text = report(args, speed, acc)
    print(text)
    if speed["problems"]:
        print("first problems:", *speed["problems"], sep="\n  ")
    (ROOT / "bench" / "results" / "email.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
