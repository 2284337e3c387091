"""Workbench fixtures: a seeded database, the app, and logged-in clients per user."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from hub.db import Database
from hub.settings import Settings
from tests.ui.seed import PASSWORD, Seeded, seed
from ui import security
from ui.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper argon2 parameters in tests (the stored hash names its own parameters)."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                             parallelism=1))
    monkeypatch.setattr(security, "_dummy", {})


@pytest.fixture
def seeded(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """The test data set in the ``db`` fixture's database."""
    monkeypatch.setenv("O2C_SECRET_KEY", "test-secret-key")
    return seed(db, tmp_path / "masterdata")


@pytest.fixture
def app(db: Database, seeded: Seeded) -> object:
    """The workbench on the seeded database (four eyes above 10 000, the default)."""
    return create_app(Settings({}), db)


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Log in through the form, as a browser does."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def client_for(app: object) -> Iterator[Callable[[str], TestClient]]:
    """A logged-in TestClient for a seeded user name."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app)  # type: ignore[arg-type]
        clients.append(client)
        return login(client, username)

    yield make
    for client in clients:
        client.close()
