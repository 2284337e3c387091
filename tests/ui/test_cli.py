"""``o2c users add`` reads the password from stdin and stores an argon2 hash."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from hub.db import Database
from hub.tables import UserRow
from ui import security


class Done:
    """What a command run left: exit code and stderr."""

    def __init__(self, returncode: int, stderr: str) -> None:
        self.returncode, self.stderr = returncode, stderr


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """``o2c ARGS`` in this process, with text on stdin (the contract's exit codes)."""
    from hub.cli import main

    def invoke(args: list[str], stdin: str, url: str) -> Done:
        monkeypatch.setenv("O2C_DATABASE_URL", url)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(args)
        return Done(code, capsys.readouterr().err)

    return invoke


def test_users_add_hashes_the_password(tmp_path: Path, run):
    url = f"sqlite:///{tmp_path / 'o2c.db'}"
    done = run(["users", "add", "alice", "--role", "finance"], "s3cret-pass\n", url)
    assert done.returncode == 0, done.stderr
    assert "user alice (finance) created" in done.stderr
    db = Database(url)
    with db.session() as session:
        row = session.get(UserRow, "alice")
        assert row is not None and row.role == "finance" and row.active
        assert row.password_hash.startswith("$argon2id$")
        assert security.verify_password(row.password_hash, "s3cret-pass")
    db.dispose()


def test_users_add_refuses_unknown_role_and_short_password(tmp_path: Path, run):
    url = f"sqlite:///{tmp_path / 'o2c.db'}"
    role = run(["users", "add", "bob", "--role", "boss"], "long-enough\n", url)
    assert role.returncode == 2 and "role must be one of" in role.stderr
    short = run(["users", "add", "bob", "--role", "it"], "abc\n", url)
    assert short.returncode == 2 and "at least 4 characters" in short.stderr
    assert "Traceback" not in role.stderr + short.stderr
