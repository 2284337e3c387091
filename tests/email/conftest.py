"""Fixtures of the e-mail channel tests."""

from __future__ import annotations

import importlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from imapclient import IMAPClient

from connectors import base
from connectors.base import Extractor, Registry
from connectors.email.imap import ImapConfig

log = logging.getLogger(__name__)


def built_in_registry() -> Registry:
    """The built-in extractors that import in this tree.

    Rooms land independently, so a room whose module does not import yet is left out
    (and logged) rather than failing every e-mail test.
    """
    classes: list[type[Extractor]] = []
    for spec in base.BUILTIN_EXTRACTORS:
        module_name, _, attr = spec.partition(":")
        try:
            classes.append(getattr(importlib.import_module(module_name), attr))
        except Exception as exc:  # another room's work in progress
            log.warning("extractor %s left out: %s", spec, exc)
    return Registry(classes)


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The registry the e-mail extractor hands attachments to."""
    return built_in_registry()


IMAP_PORT = os.environ.get("O2C_TEST_IMAP_PORT")
SMTP_PORT = os.environ.get("O2C_TEST_SMTP_PORT")
IMAP_HOST = "127.0.0.1"
IMAP_PASSWORD = os.environ.get("O2C_TEST_IMAP_PASS", "secret")
PASSWORD_ENV = "O2C_TEST_MAILBOX_PASSWORD"


@dataclass
class Mailbox:
    """A fresh mailbox on the test Dovecot: its settings and a customer-side client."""

    config: ImapConfig
    client: IMAPClient

    def append(self, mail: EmailMessage | bytes, folder: str = "INBOX") -> None:
        """Deliver a message the way a mail server would."""
        self.client.append(folder, mail if isinstance(mail, bytes) else bytes(mail))

    def count(self, folder: str) -> int:
        """How many messages a folder holds (0 when it does not exist)."""
        if not self.client.folder_exists(folder):
            return 0
        return int(self.client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])

    def subjects(self, folder: str) -> list[str]:
        """The subjects of a folder's messages, sorted."""
        self.client.select_folder(folder, readonly=True)
        found = self.client.fetch(self.client.search(["ALL"]), ["ENVELOPE"])
        return sorted(v[b"ENVELOPE"].subject.decode() for v in found.values())


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A mailbox of its own for each test (Dovecot logs any user in)."""
    if not IMAP_PORT:
        pytest.skip("O2C_TEST_IMAP_PORT not set: run through `make test` (it starts Dovecot)")
    monkeypatch.setenv(PASSWORD_ENV, IMAP_PASSWORD)
    user = f"orders-{uuid.uuid4().hex[:10]}@example.test"
    config = ImapConfig(host=IMAP_HOST, port=int(IMAP_PORT), security="none", user=user,
                        password_env=PASSWORD_ENV, quarantine="Quarantine", backoff_seconds=0.01)
    client = IMAPClient(IMAP_HOST, port=int(IMAP_PORT), ssl=False, timeout=10)
    client.login(user, IMAP_PASSWORD)
    try:
        yield Mailbox(config, client)
    finally:
        client.logout()
