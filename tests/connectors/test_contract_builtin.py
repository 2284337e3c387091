"""Every installed connector keeps the contract of the SDK's test kit.

Parametrised over ``Registry.default()``: a connector added to the built-ins or
installed through an entry point is checked without touching this file. Built-in
extractors find their samples in the repository's ``tests/samples/<folder>``; any
other one brings a ``samples/`` folder beside its module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.base import Registry
from connectors.sdk import checks, transport_checks
from connectors.sdk.checks import ExtractorSubject
from connectors.sdk.samples import sample_files
from connectors.sdk.transport_checks import TransportSubject
from tests.conftest import ROOT, SAMPLES, SHARED_SAMPLES

REGISTRY = Registry.default()

#: Where the built-in extractors' samples live: folders of tests/samples, and of the
#: shared samples when that folder is present (its AGPL files are read, never copied).
BUILTIN_SAMPLES: dict[str, list[Path]] = {
    "edifact": [SAMPLES / "edifact", SHARED_SAMPLES / "edifact_orders"],
    "ubl-order": [SAMPLES / "ubl", SHARED_SAMPLES / "ubl_order"],
    "order-x": [SAMPLES / "orderx", SHARED_SAMPLES / "orderx"],
    "x12-850": [SAMPLES / "x12"],
    "sheets": [SAMPLES / "sheets"],
    "pdf-text": [SAMPLES / "pdf"],
    "fax-ocr": [SAMPLES / "fax"],
    "web-portal": [SAMPLES / "web-portal"],
    "email": [SAMPLES / "email"],
}
CHANNELS = {"fax-ocr": "fax", "email": "email", "web-portal": "web"}

#: Findings of the kit on built-in connectors, reported to their owners. Strict: the
#: test fails as soon as one is fixed, so that its line here is removed.
KNOWN_FINDINGS: dict[tuple[str, str], str] = {
}


def _builtin_settings(name: str, tmp: Path) -> dict[str, Any] | None:
    """Working settings of the built-in transports (others declare field examples);
    servers are named on a closed loopback port, so nothing is ever reached."""
    settings: dict[str, dict[str, Any]] = {
        "folder": {"path": str(tmp)},
        "imap": {"host": "127.0.0.1", "port": 9, "security": "none", "user": "orders",
                 "password_env": "O2C_IMAP_PASSWORD", "retries": 0, "timeout_seconds": 1,
                 "state_url": f"sqlite:///{tmp / 'imap.db'}"},
        "web-portal": {"recipe": str(ROOT / "tests" / "web" / "recipes" / "page.toml"),
                       "base_url": "http://127.0.0.1:9", "username": "o2c",
                       "password_env": "O2C_PORTAL_PASSWORD", "timeout_ms": 2000,
                       "state_dir": str(tmp / "state"), "evidence_dir": str(tmp / "evidence")},
    }
    return settings.get(name)


def _known(name: str, check: str) -> None:
    if (name, check) in KNOWN_FINDINGS:
        pytest.xfail(KNOWN_FINDINGS[(name, check)])  # pragma: no cover - reported defect

_subjects: dict[str, ExtractorSubject] = {}


def _extractor_subject(name: str) -> ExtractorSubject:
    if name not in _subjects:
        own = sample_files(*BUILTIN_SAMPLES[name]) if name in BUILTIN_SAMPLES else None
        _subjects[name] = ExtractorSubject.build(
            name, own=own, repository=SAMPLES, registry=REGISTRY,
            channel=CHANNELS.get(name, "file"))
    return _subjects[name]


#: Connectors that need a system component, marked so a run can select or skip them.
MARKS = {"fax-ocr": pytest.mark.ocr, "web-portal": pytest.mark.browser}


def _names(names: list[str]) -> list[Any]:
    return [pytest.param(n, marks=MARKS[n]) if n in MARKS else n for n in sorted(names)]


@pytest.mark.parametrize("check", list(checks.EXTRACTOR_CHECKS))
@pytest.mark.parametrize("name", _names(list(REGISTRY.extractors)))
def test_extractor_keeps_the_contract(name: str, check: str) -> None:
    try:
        checks.EXTRACTOR_CHECKS[check](_extractor_subject(name))
    except checks.CheckFailed:
        _known(name, check)
        raise
    assert (name, check) not in KNOWN_FINDINGS, "fixed: remove it from KNOWN_FINDINGS"


@pytest.mark.parametrize("check", list(transport_checks.TRANSPORT_CHECKS))
@pytest.mark.parametrize("name", _names(list(REGISTRY.transports)))
def test_transport_keeps_the_contract(name: str, check: str, tmp_path: Path) -> None:
    subject = TransportSubject.build(REGISTRY.transports[name], _builtin_settings(name, tmp_path))
    transport_checks.TRANSPORT_CHECKS[check](subject)
