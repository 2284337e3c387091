"""``o2c email watch`` against the test Dovecot, configured from an o2c.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.cli import main
from hub.db import Database
from hub.tables import OrderRow
from tests.email.conftest import PASSWORD_ENV, Mailbox
from tests.email.mails import message

pytestmark = pytest.mark.imap


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, box: Mailbox) -> str:
    config = tmp_path / "o2c.toml"
    config.write_text(
        "[connectors.orders]\n"
        'transport = "imap"\nevery_seconds = 60\n'
        f'host = "{box.config.host}"\nport = {box.config.port}\nsecurity = "none"\n'
        f'user = "{box.config.user}"\npassword_env = "{PASSWORD_ENV}"\n'
        "[connectors.drop]\n"
        'transport = "folder"\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'o2c.db'}"
    monkeypatch.setenv("O2C_CONFIG", str(config))
    monkeypatch.setenv("O2C_DATABASE_URL", url)
    return url


def test_watch_once_reads_the_mailbox_into_the_queue(
    mailbox: Mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = configure(tmp_path, monkeypatch, mailbox)
    mailbox.append(bytes(message("N° de commande : 8812\n\n4 cartons réf. AB-123\n")))
    assert main(["email", "watch", "orders", "--once"]) == 0
    assert "orders: 1 message(s), 1 order(s), 0 quarantined" in capsys.readouterr().out
    assert mailbox.count("Processed") == 1
    db = Database(url)
    with db.session() as session:
        assert list(session.scalars(select(OrderRow.buyer_order_number))) == ["8812"]
    db.dispose()


def test_watch_refuses_a_section_that_is_not_a_mailbox(
    mailbox: Mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure(tmp_path, monkeypatch, mailbox)
    assert main(["email", "watch", "drop", "--once"]) == 2
    assert "[connectors.drop] is not a mailbox" in capsys.readouterr().err
