"""``o2c apikey create SENDER``: prints a key that the web order API accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.web.keys import sender_of
from hub.cli import main
from hub.db import Database
from hub.tables import ApiKeyRow


def test_apikey_create_prints_a_working_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'o2c.db'}"
    monkeypatch.setenv("O2C_DATABASE_URL", url)
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "none.toml"))
    assert main(["apikey", "create", "shop-42"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("o2c_")
    db = Database(url)
    try:
        with db.session() as session:
            assert sender_of(session, key) == "shop-42"
            assert session.scalars(select(ApiKeyRow.sender)).all() == ["shop-42"]
    finally:
        db.dispose()


def test_apikey_create_refuses_an_empty_sender(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("O2C_DATABASE_URL", f"sqlite:///{tmp_path / 'o2c.db'}")
    assert main(["apikey", "create", "  "]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "sender must be 1 to 120 printable characters" in captured.err


def test_apikey_list_and_revoke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'o2c.db'}"
    monkeypatch.setenv("O2C_DATABASE_URL", url)
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "none.toml"))
    assert main(["apikey", "create", "shop-42"]) == 0
    key = capsys.readouterr().out.strip()
    prefix = key.split("_")[1]
    assert main(["apikey", "list"]) == 0
    listed = capsys.readouterr().out
    assert prefix in listed
    assert "shop-42" in listed
    assert key.split("_", 2)[2] not in listed
    assert main(["apikey", "revoke", prefix]) == 0
    assert main(["apikey", "revoke", "000000000000"]) == 1
    assert "no API key with prefix '000000000000'" in capsys.readouterr().err
    db = Database(url)
    try:
        with db.session() as session:
            assert sender_of(session, key) is None
    finally:
        db.dispose()
