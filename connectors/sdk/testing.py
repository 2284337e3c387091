"""Pytest base classes: a connector's tests inherit the whole contract in a few lines.

    from connectors.sdk.testing import ExtractorContract

    class TestAcmeOrders(ExtractorContract):
        extractor = AcmeOrderExtractor      # samples/ beside its module are its own

    class TestAcmeSftp(TransportContract):
        transport = AcmeTransport
        settings = {"host": "sftp.example.com", "user": "o2c"}

Each check is one test, named after it; a failure names the sample and the reason.
Golden files (``samples/x.json`` beside ``samples/x.edi``) are compared too when
``golden = True``.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest

from connectors.base import Extractor, Transport
from connectors.sdk import checks, transport_checks
from connectors.sdk.checks import ExtractorSubject
from connectors.sdk.samples import golden_for
from connectors.sdk.transport_checks import TransportSubject


class ExtractorContract:
    """Inherit and set ``extractor``; optionally ``samples`` (a list of files),
    ``repository`` (the samples tree to refuse), ``channel`` and ``golden``."""

    extractor: ClassVar[type[Extractor]]
    samples: ClassVar[list[Path] | None] = None
    repository: ClassVar[Path | None] = None
    channel: ClassVar[str] = "file"
    golden: ClassVar[bool] = True

    @pytest.fixture(scope="class")
    @classmethod
    def contract(cls) -> ExtractorSubject:
        """The extractor and its samples, built once for the class."""
        return ExtractorSubject.build(cls.extractor, own=cls.samples,
                                      repository=cls.repository, channel=cls.channel)

    def test_has_samples(self, contract: ExtractorSubject) -> None:
        checks.has_samples(contract)

    def test_identifies_own_samples(self, contract: ExtractorSubject) -> None:
        checks.identifies_own_samples(contract)

    def test_rejects_every_other_sample(self, contract: ExtractorSubject) -> None:
        checks.rejects_other_samples(contract)

    def test_each_sample_claimed_by_exactly_one_extractor(
        self, contract: ExtractorSubject
    ) -> None:
        checks.claimed_exactly_once(contract)

    def test_output_valid_against_schema(self, contract: ExtractorSubject) -> None:
        checks.output_matches_schema(contract)

    def test_deterministic_and_idempotent(self, contract: ExtractorSubject) -> None:
        checks.deterministic(contract)

    def test_junk_raises_bad_document(self, contract: ExtractorSubject) -> None:
        checks.junk_is_bad_document(contract)

    def test_no_network_in_extract(self, contract: ExtractorSubject) -> None:
        checks.no_network_in_extract(contract)

    def test_golden_files(self, contract: ExtractorSubject) -> None:
        """Each sample's output equals ``<sample>.json`` beside it (a list of orders,
        or ``{"error": "..."}`` for a sample that must be refused)."""
        if not self.golden:
            pytest.skip("golden files compared by the connector's own tests")
        for path in contract.own:
            outcome = contract.outcome(path)
            actual: Any = outcome.orders if outcome.orders is not None else {
                "error": outcome.error or outcome.crash}
            assert_golden(actual, golden_for(path))


def assert_golden(actual: Any, expected_path: Path) -> None:
    """Compare with the golden file, showing a diff; never rewrite one silently.

    ``O2C_WRITE_GOLDEN=1`` writes a golden file that does not exist yet (review it).
    """
    text = json.dumps(actual, ensure_ascii=False, indent=2) + "\n"
    if not expected_path.exists():
        if os.environ.get("O2C_WRITE_GOLDEN") == "1":
            expected_path.write_text(text, encoding="utf-8")
            pytest.skip(f"wrote new golden file {expected_path}; review it")
        pytest.fail(f"no golden file {expected_path}; write it by hand or with O2C_WRITE_GOLDEN=1")
    expected = expected_path.read_text(encoding="utf-8")
    if expected != text:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                            text.splitlines(keepends=True),
                                            fromfile=str(expected_path), tofile="actual"))
        pytest.fail(f"output differs from {expected_path}:\n{diff}", pytrace=False)


class TransportContract:
    """Inherit and set ``transport``; ``settings`` defaults to the field examples."""

    transport: ClassVar[type[Transport]]
    settings: ClassVar[dict[str, Any] | None] = None

    @pytest.fixture
    def contract(self) -> TransportSubject:
        """The transport and a working example of its settings."""
        return TransportSubject.build(self.transport, self.settings)

    def test_configuration_fields_documented(self, contract: TransportSubject) -> None:
        transport_checks.fields_documented(contract)

    def test_configuration_loads(self, contract: TransportSubject) -> None:
        transport_checks.config_loads(contract)

    def test_bad_configuration_gives_clear_error(self, contract: TransportSubject) -> None:
        transport_checks.bad_config_is_clear(contract)

    def test_network_failure_is_transient_or_config(self, contract: TransportSubject) -> None:
        transport_checks.offline_fetch_fails_cleanly(contract)

    def test_secrets_redacted(self, contract: TransportSubject) -> None:
        transport_checks.secrets_redacted(contract)
