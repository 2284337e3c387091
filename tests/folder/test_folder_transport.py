"""The drop folder on real temporary folders: picking files, filing them, refusing tricks."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from connectors.base import Registry
from connectors.folder import FolderConfig, FolderTransport, safe_name
from hub.errors import ConfigError

NOW = 1_800_000_000.0
OLD = NOW - 3600


def _drop(folder: Path, name: str, content: bytes = b"a;b\n", *, mtime: float = OLD) -> Path:
    path = folder / name
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


def _transport(folder: Path, **settings: object) -> FolderTransport:
    transport = FolderTransport.from_settings({"path": str(folder), **settings})
    assert isinstance(transport, FolderTransport)
    transport.clock = lambda: NOW
    return transport


def test_new_files_become_documents_in_name_order(tmp_path: Path) -> None:
    _drop(tmp_path, "b.csv", b"second")
    _drop(tmp_path, "a.csv", b"first")

    docs = list(_transport(tmp_path).fetch())

    assert [(d.name, d.content, d.channel) for d in docs] == [
        ("a.csv", b"first", "file"), ("b.csv", b"second", "file")
    ]
    assert docs[0].received_at is not None
    assert docs[0].received_at.timestamp() == OLD
    assert docs[0].received_at.utcoffset() is not None
    assert docs[0].document_ref == "a.csv"


def test_settled_files_move_to_done_or_failed_with_reason(tmp_path: Path) -> None:
    _drop(tmp_path, "good.csv", b"good")
    _drop(tmp_path, "bad.csv", b"bad")
    transport = _transport(tmp_path)
    good, bad = sorted(transport.fetch(), key=lambda d: d.name, reverse=True)

    transport.settle(good, ok=True)
    transport.settle(bad, ok=False, reason="bad.csv: row 4, column Qté: 'x' is not a number")

    assert (tmp_path / "done" / "good.csv").read_bytes() == b"good"
    assert (tmp_path / "failed" / "bad.csv").read_bytes() == b"bad"
    assert (tmp_path / "failed" / "bad.csv.reason.txt").read_text(encoding="utf-8") == (
        "bad.csv: row 4, column Qté: 'x' is not a number\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done", "failed"]
    assert list(transport.fetch()) == []


def test_partial_hidden_and_unmatched_files_are_left_alone(tmp_path: Path) -> None:
    _drop(tmp_path, "fresh.csv", mtime=NOW - 1)
    _drop(tmp_path, "copying.csv.part")
    _drop(tmp_path, "upload.TMP")
    _drop(tmp_path, ".hidden.csv")
    _drop(tmp_path, "notes.txt")
    (tmp_path / "done").mkdir()
    _drop(tmp_path / "done", "old.csv")
    (tmp_path / "sub").mkdir()
    _drop(tmp_path, "ready.CSV")

    docs = list(_transport(tmp_path, pattern="*.csv", settle_seconds=10).fetch())

    assert [d.name for d in docs] == ["ready.CSV"]


def test_a_file_becomes_ready_once_it_stops_changing(tmp_path: Path) -> None:
    _drop(tmp_path, "scan.pdf", mtime=NOW - 2)
    transport = _transport(tmp_path, settle_seconds=5)
    assert list(transport.fetch()) == []
    transport.clock = lambda: NOW + 10
    assert [d.name for d in transport.fetch()] == ["scan.pdf"]


def test_collisions_in_done_and_failed_never_overwrite(tmp_path: Path) -> None:
    for folder in ("done", "failed"):
        (tmp_path / folder).mkdir()
        _drop(tmp_path / folder, "order.csv", b"earlier")
    _drop(tmp_path / "failed", "order-1.csv.reason.txt", b"earlier reason")
    transport = _transport(tmp_path)

    _drop(tmp_path, "order.csv", b"second")
    [doc] = transport.fetch()
    transport.settle(doc, ok=True)
    _drop(tmp_path, "order.csv", b"third")
    [doc] = transport.fetch()
    transport.settle(doc, ok=False, reason="broken")

    assert (tmp_path / "done" / "order.csv").read_bytes() == b"earlier"
    assert (tmp_path / "done" / "order-1.csv").read_bytes() == b"second"
    assert (tmp_path / "failed" / "order.csv").read_bytes() == b"earlier"
    assert (tmp_path / "failed" / "order-1.csv.reason.txt").read_bytes() == b"earlier reason"
    assert (tmp_path / "failed" / "order-2.csv").read_bytes() == b"third"
    assert (tmp_path / "failed" / "order-2.csv.reason.txt").read_text() == "broken\n"


def test_oversized_files_are_refused_into_failed(tmp_path: Path) -> None:
    _drop(tmp_path, "huge.csv", b"x" * 2048)
    _drop(tmp_path, "small.csv", b"x" * 10)
    transport = _transport(tmp_path, max_bytes=1024)

    docs = list(transport.fetch())

    assert [d.name for d in docs] == ["small.csv"]
    [refusal] = transport.refusals
    assert refusal.name == "huge.csv"
    assert refusal.reason == "2,048 bytes is over the 1,024-byte cap of the drop folder"
    assert refusal.moved_to == tmp_path / "failed" / "huge.csv"
    assert (tmp_path / "failed" / "huge.csv").stat().st_size == 2048
    assert (tmp_path / "failed" / "huge.csv.reason.txt").read_text().startswith("2,048 bytes")


def test_links_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"secret")
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "passwd.csv").symlink_to(outside)
    (drop / "loop.csv").symlink_to(drop / "loop.csv")
    (drop / "to-parent").symlink_to(tmp_path)
    transport = _transport(drop)

    docs = list(transport.fetch())

    assert docs == []
    assert sorted(r.name for r in transport.refusals) == ["loop.csv", "passwd.csv", "to-parent"]
    assert outside.read_bytes() == b"secret"
    assert (drop / "failed" / "passwd.csv").is_symlink()
    assert "outside the drop folder" in (drop / "failed" / "passwd.csv.reason.txt").read_text()


def test_links_inside_the_folder_are_read(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    _drop(tmp_path / "store", "real.csv", b"real")
    (tmp_path / "alias.csv").symlink_to(tmp_path / "store" / "real.csv")
    (tmp_path / "done").mkdir()
    _drop(tmp_path / "done", "filed.csv", b"filed")
    (tmp_path / "again.csv").symlink_to(tmp_path / "done" / "filed.csv")
    transport = _transport(tmp_path)

    docs = list(transport.fetch())

    assert [(d.name, d.content) for d in docs] == [("alias.csv", b"real")]
    assert [r.name for r in transport.refusals] == ["again.csv"]
    transport.settle(docs[0], ok=True)
    assert (tmp_path / "done" / "alias.csv").is_symlink()
    assert (tmp_path / "store" / "real.csv").read_bytes() == b"real"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../x", "x"),
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("a\x00b.csv", "ab.csv"),
        ("..", "document"),
        ("", "document"),
        (".bashrc", "bashrc"),
        ("com\nmande;rm -rf.csv", "commande_rm -rf.csv"),
        ("Commande n°12 (copie).xlsx", "Commande n_12 (copie).xlsx"),
    ],
)
def test_names_are_sanitised(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_long_names_keep_their_extension() -> None:
    name = safe_name("x" * 300 + ".xlsx")
    assert len(name) == 200
    assert name.endswith("x.xlsx")


def test_odd_file_names_are_filed_under_a_sanitised_name(tmp_path: Path) -> None:
    _drop(tmp_path, "odd\n;name.csv", b"odd")
    transport = _transport(tmp_path)
    [doc] = transport.fetch()
    assert doc.name == "odd\n;name.csv"
    transport.settle(doc, ok=False, reason="bad")
    assert sorted(p.name for p in (tmp_path / "failed").iterdir()) == [
        "odd_name.csv", "odd_name.csv.reason.txt"
    ]


def test_a_document_name_is_never_used_as_a_path(tmp_path: Path) -> None:
    victim = tmp_path / "victim.csv"
    victim.write_bytes(b"keep me")
    drop = tmp_path / "drop"
    drop.mkdir()
    _drop(drop, "order.csv", b"order")
    transport = _transport(drop)
    [doc] = transport.fetch()

    forged = dataclasses.replace(doc, name="../victim.csv")
    with pytest.raises(ValueError, match=r"victim\.csv: not a pending file"):
        transport.settle(forged, ok=True)

    assert victim.read_bytes() == b"keep me"
    assert (drop / "order.csv").exists()
    transport.settle(doc, ok=True)
    with pytest.raises(ValueError, match="not a pending file"):
        transport.settle(doc, ok=True)


def test_a_fax_inbox_is_a_drop_folder_with_channel_fax(tmp_path: Path) -> None:
    _drop(tmp_path, "fax-0412.tif", b"II*\x00")
    [doc] = _transport(tmp_path, channel="fax").fetch()
    assert doc.channel == "fax"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"done": "../elsewhere"}, "done: Value error, '../elsewhere' must be a plain folder"),
        ({"failed": "/tmp"}, "failed: Value error"),
        ({"done": "x", "failed": "x"}, "done and failed must be different folders"),
        ({"pattern": "../*.csv"}, "the pattern matches file names, without folders"),
        ({"channel": "telex"}, "channel: Input should be"),
        ({"max_bytes": 0}, "max_bytes: Input should be greater than 0"),
        ({"unknown": 1}, "unknown: Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_config_errors(
    tmp_path: Path, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match="transport 'folder'") as caught:
        FolderTransport.from_settings({"path": str(tmp_path), **settings})
    assert message in str(caught.value)


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    transport = FolderTransport(FolderConfig(path=tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="is not an existing folder"):
        list(transport.fetch())


def test_a_done_folder_that_is_a_link_is_a_config_error(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "done").symlink_to(elsewhere)
    _drop(drop, "a.csv")
    transport = _transport(drop)
    [doc] = transport.fetch()
    with pytest.raises(ConfigError, match="must be a real folder"):
        transport.settle(doc, ok=True)
    assert list(elsewhere.iterdir()) == []


def test_the_registry_knows_the_folder_transport() -> None:
    assert Registry.default().transports["folder"] is FolderTransport


def test_a_file_name_that_is_not_utf8_is_shown_and_filed_safely(tmp_path: Path) -> None:
    raw_name = os.fsdecode(b"caf\xe9.csv")
    _drop(tmp_path, raw_name, b"latin-1 name")
    transport = _transport(tmp_path)
    [doc] = transport.fetch()
    assert doc.name == "caf\ufffd.csv"
    doc.name.encode("utf-8")
    transport.settle(doc, ok=True)
    assert [p.name for p in (tmp_path / "done").iterdir()] == ["caf.csv"]


def test_a_file_rewritten_after_reading_stays_for_the_next_poll(tmp_path: Path) -> None:
    _drop(tmp_path, "order.csv", b"first version")
    transport = _transport(tmp_path)
    [doc] = transport.fetch()
    _drop(tmp_path, "order.csv", b"second, longer version", mtime=OLD + 1)

    transport.settle(doc, ok=True)

    assert (tmp_path / "order.csv").read_bytes() == b"second, longer version"
    assert not (tmp_path / "done").exists()
    [again] = transport.fetch()
    assert again.content == b"second, longer version"


def test_pipes_are_refused_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    os.utime(tmp_path / "pipe.csv", (OLD, OLD), follow_symlinks=False)
    transport = _transport(tmp_path)
    assert list(transport.fetch()) == []
    assert [r.reason for r in transport.refusals] == [
        "not a regular file (a pipe, socket or device)"
    ]
    assert (tmp_path / "failed" / "pipe.csv.reason.txt").exists()
