"""The contract kit finds each kind of defect, and names the sample and the reason."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import Field

from connectors.base import Registry
from connectors.sdk import (
    BadDocument,
    Extractor,
    Line,
    Order,
    RawDocument,
    Source,
    TransientError,
    Transport,
    TransportConfig,
    checks,
    read_secret,
    transport_checks,
)
from connectors.sdk.checks import CheckFailed, ExtractorSubject
from connectors.sdk.guards import captured_logs, no_network
from connectors.sdk.samples import golden_for, is_golden, sample_files
from connectors.sdk.transport_checks import TransportSubject
from tests.conftest import SAMPLES


class Tally(Extractor):
    """Reads ``TALLY n`` files; with ``flaw`` set it breaks one part of the contract."""

    name: ClassVar[str] = "tally"
    flaw: ClassVar[str] = ""
    calls = 0

    def identify(self, raw: RawDocument) -> bool:
        return self.flaw == "greedy" or raw.content.startswith(b"TALLY ")

    def extract(self, raw: RawDocument) -> list[Order]:
        self.calls += 1
        if self.flaw == "network":
            socket.create_connection(("127.0.0.1", 9), timeout=0.1)
        if not raw.content.startswith(b"TALLY "):
            if self.flaw == "crash":
                raise KeyError("header")
            raise BadDocument("not a tally file", location="line 1")
        count = self.calls if self.flaw == "drift" else 1
        return [Order(buyer_order_number=raw.content[6:].decode().strip() or "?",
                      lines=[Line(line_number=1, quantity=Decimal(count))],
                      source=Source(channel=raw.channel, format="tally", sha256=raw.sha256))]


def subject(tmp_path: Path, flaw: str = "") -> ExtractorSubject:
    sample = tmp_path / "one.tally"
    sample.write_bytes(b"TALLY T-1\n")
    extractor = type(f"Tally{flaw.title()}", (Tally,), {"flaw": flaw})
    return ExtractorSubject.build(extractor, own=[sample], repository=SAMPLES,
                                  registry=Registry())


def test_a_sound_extractor_passes_every_check(tmp_path: Path) -> None:
    results = list(checks.run_checks(checks.EXTRACTOR_CHECKS, subject(tmp_path)))
    assert [r.name for r in results if not r.ok] == []
    assert len(results) == len(checks.EXTRACTOR_CHECKS)


@pytest.mark.parametrize(("flaw", "check", "reason"), [
    ("greedy", checks.rejects_other_samples, "other samples claimed: bai2/"),
    ("crash", checks.junk_is_bad_document, "random bytes: KeyError: 'header'"),
    ("network", checks.no_network_in_extract, "one.tally: create_connection"),
    ("drift", checks.deterministic, "second run differs"),
])
def test_each_flaw_is_named(tmp_path: Path, flaw: str, check: Any, reason: str) -> None:
    with pytest.raises(CheckFailed) as caught:
        check(subject(tmp_path, flaw))
    assert reason in str(caught.value)


def test_a_sample_claimed_twice_is_named(tmp_path: Path) -> None:
    found = subject(tmp_path)
    found.registry.add_extractor(type("Greedy", (Tally,), {"name": "greedy", "flaw": "greedy"}))
    with pytest.raises(CheckFailed, match=r"one\.tally: claimed by tally, greedy"):
        checks.claimed_exactly_once(found)


def test_output_against_the_schema_names_the_field(tmp_path: Path) -> None:
    found = subject(tmp_path)
    found.schema = {**found.schema, "required": [*found.schema["required"], "rebate"]}
    with pytest.raises(CheckFailed, match=r"one\.tally order 1 \(top\): 'rebate' is a required"):
        checks.output_matches_schema(found)


def test_no_samples_is_a_failure(tmp_path: Path) -> None:
    found = subject(tmp_path)
    found.own = []
    with pytest.raises(CheckFailed, match="no samples"):
        checks.has_samples(found)


def test_no_network_blocks_and_records_every_attempt() -> None:
    with no_network() as attempts:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", 9))
        with pytest.raises(ConnectionRefusedError, match="getaddrinfo"):
            socket.getaddrinfo("example.com", 80)
    assert [a.split()[0] for a in attempts] == ["create_connection", "getaddrinfo"]
    assert socket.getaddrinfo("127.0.0.1", 80)  # restored


class ApiConfig(TransportConfig):
    url: str = Field(examples=["https://partner.example"])
    """The API."""
    token_env: str = Field(examples=["O2C_PARTNER_TOKEN"])
    """Variable holding the token."""


class Api(Transport):
    """Polls an API; ``leak`` logs the token, ``crash`` raises a bare error."""

    name: ClassVar[str] = "api"
    config_model: ClassVar[type[TransportConfig]] = ApiConfig
    flaw: ClassVar[str] = ""

    def fetch(self) -> Iterator[RawDocument]:
        assert isinstance(self.config, ApiConfig)
        token = read_secret(env=self.config.token_env)
        if self.flaw == "leak":
            logging.getLogger("partner").info("calling with token %s", token)
        try:
            socket.create_connection(("partner.example", 443))
        except OSError as exc:
            if self.flaw == "crash":
                raise RuntimeError("no connection") from None
            raise TransientError(f"partner.example unreachable: {exc}") from None
        yield from ()


def transport(flaw: str = "") -> TransportSubject:
    return TransportSubject.build(type(f"Api{flaw}", (Api,), {"flaw": flaw}))


def test_a_sound_transport_passes_every_check() -> None:
    results = list(checks.run_checks(transport_checks.TRANSPORT_CHECKS, transport()))
    assert [r.line() for r in results if not r.ok] == []


def test_a_leaked_secret_is_caught() -> None:
    with pytest.raises(CheckFailed, match="secret shown in: log line 1"):
        transport_checks.secrets_redacted(transport("leak"))


def test_a_bare_error_offline_is_caught() -> None:
    with pytest.raises(CheckFailed, match=r"RuntimeError \(not an o2c error\): no connection"):
        transport_checks.offline_fetch_fails_cleanly(transport("crash"))


def test_an_undocumented_field_is_named() -> None:
    class Bare(ApiConfig):
        extra_option: int = 1

    bare = type("BareApi", (Api,), {"config_model": Bare})
    with pytest.raises(CheckFailed, match="fields without a docstring: extra_option"):
        transport_checks.fields_documented(TransportSubject.build(bare))


def test_captured_logs_see_every_logger() -> None:
    with captured_logs() as lines:
        logging.getLogger("some.room").debug("quiet %s", "detail")
    assert lines == ["quiet detail"]


def test_samples_leave_out_goldens_notices_and_scripts() -> None:
    found = sample_files(SAMPLES / "web-portal", SAMPLES / "email", SAMPLES / "camt053")
    names = {p.name for p in found}
    assert "po-00001.capture.json" in names and "po-00001.json" not in names
    assert "make_samples.py" not in names and "NOTICE" not in names
    assert not any(p.parent.name == "upstream" for p in found)
    assert is_golden(SAMPLES / "edifact" / "unoc_latin1.json")
    assert golden_for(SAMPLES / "web-portal" / "po-00001.capture.json").name == "po-00001.json"
