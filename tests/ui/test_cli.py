"""``o2c users add`` reads the password from stdin and stores an argon2 hash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hub.db import Database
from hub.tables import UserRow
from ui import security

O2C = [sys.executable, "-c", "import sys; from hub.cli import main; sys.exit(main())"]


def _run(args: list[str], stdin: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2C_DATABASE_URL": url}
    return subprocess.run([*O2C, *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_users_add_hashes_the_password(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'o2c.db'}"
    done = _run(["users", "add", "alice", "--role", "finance"], "s3cret-pass\n", url)
    assert done.returncode == 0, done.stderr
    assert "user alice (finance) created" in done.stderr
    db = Database(url)
    with db.session() as session:
        row = session.get(UserRow, "alice")
        assert row is not None and row.role == "finance" and row.active
        assert row.password_hash.startswith("$argon2id$")
        assert security.verify_password(row.password_hash, "s3cret-pass")
    db.dispose()


def test_users_add_refuses_unknown_role_and_short_password(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'o2c.db'}"
    role = _run(["users", "add", "bob", "--role", "boss"], "long-enough\n", url)
    assert role.returncode == 2 and "role must be one of" in role.stderr
    short = _run(["users", "add", "bob", "--role", "it"], "abc\n", url)
    assert short.returncode == 2 and "at least 4 characters" in short.stderr
    assert "Traceback" not in role.stderr + short.stderr
