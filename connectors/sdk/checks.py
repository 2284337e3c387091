"""The contract every extractor keeps, as plain checks.

Each check takes an :class:`ExtractorSubject` and raises :class:`CheckFailed` with a
reason that names the sample; :func:`run_extractor_checks` runs them all and reports
one :class:`CheckResult` per check. The pytest base classes in
:mod:`connectors.sdk.testing` and ``o2c connectors check`` call the same functions.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.base import Extractor, Registry
from connectors.sdk import samples as sample_files
from connectors.sdk.guards import no_network
from hub.documents import RawDocument
from hub.errors import BadDocument

PACKAGED_SCHEMA = Path(__file__).with_name("canonical-order.schema.json")
_SHOWN = 3  # failing samples named in one reason; the rest are counted


class CheckFailed(AssertionError):  # noqa: N818 - reads as the outcome of a check
    """A connector does not keep one part of its contract; the message says where."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one connector."""

    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        """``ok   name`` or ``FAILED name: reason``, for the command line."""
        if self.ok:
            return f"ok      {self.name}" + (f" ({self.detail})" if self.detail else "")
        return f"failed  {self.name}: {self.detail}"


@dataclass
class Outcome:
    """What one extraction of one sample gave: orders as JSON, or the error line."""

    orders: list[dict[str, Any]] | None
    error: str | None = None
    crash: str | None = None
    network: list[str] = field(default_factory=list)


@dataclass
class ExtractorSubject:
    """An extractor with the samples it is checked against.

    Args:
        extractor: The extractor instance, bound to ``registry``.
        registry: Every extractor installed, for the claimed-once check.
        own: The extractor's own samples.
        others: Every other sample of the repository (each must be refused).
        schema: The canonical order JSON schema.
        channel: The channel its documents arrive by.
    """

    extractor: Extractor
    registry: Registry
    own: list[Path]
    others: list[Path]
    schema: dict[str, Any]
    channel: str = "file"
    _outcomes: dict[Path, Outcome] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        extractor: type[Extractor] | str,
        *,
        own: list[Path] | None = None,
        repository: Path | None = None,
        registry: Registry | None = None,
        channel: str = "file",
    ) -> ExtractorSubject:
        """The subject for an extractor class (or the name of an installed one).

        Own samples default to the ``samples/`` folder beside the extractor's module;
        the repository defaults to the ``tests/samples`` found upwards from here.
        """
        registry = registry or Registry.default()
        if isinstance(extractor, str):
            instance = registry.extractor(extractor)
        elif extractor.name in registry.extractors:
            instance = registry.extractors[extractor.name]
        else:
            registry.add_extractor(extractor)
            instance = registry.extractors[extractor.name]
        if own is None:
            folder = sample_files.package_samples(type(instance))
            own = sample_files.sample_files(folder) if folder else []
        root = repository or sample_files.repository_samples()
        every = sample_files.sample_files(root) if root else []
        return cls(instance, registry, list(own), sample_files.others(every, own),
                   load_schema(root), channel)

    def raw(self, path: Path) -> RawDocument:
        """The sample as received."""
        return sample_files.load(path, channel=self.channel)

    def outcome(self, path: Path) -> Outcome:
        """The first extraction of a sample (cached), run with the network cut off."""
        if path not in self._outcomes:
            with no_network() as attempts:
                result = extract_once(self.extractor, self.raw(path))
            result.network = list(attempts)
            self._outcomes[path] = result
        return self._outcomes[path]


def load_schema(samples_root: Path | None) -> dict[str, Any]:
    """The repository's canonical schema beside its samples, else the packaged copy."""
    beside = samples_root.parent / "canonical-order.schema.json" if samples_root else None
    path = beside if beside and beside.is_file() else PACKAGED_SCHEMA
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def extract_once(extractor: Extractor, raw: RawDocument) -> Outcome:
    """Extract, turning the result into JSON and any error into a line."""
    try:
        orders = extractor.extract(raw)
    except BadDocument as exc:
        return Outcome(None, error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # the check reports the crash instead of stopping
        return Outcome(None, crash=f"{type(exc).__name__}: {exc}")
    return Outcome([order.to_json_dict() for order in orders])


def claims(extractor: Extractor, raw: RawDocument) -> bool | str:
    """Whether the extractor claims the document; a crash in identify is a string."""
    try:
        return bool(extractor.identify(raw))
    except Exception as exc:  # reported as a finding, not raised
        return f"identify raised {type(exc).__name__}: {exc}"


def _fail_if(problems: list[str], what: str) -> None:
    if problems:
        more = f" (and {len(problems) - _SHOWN} more)" if len(problems) > _SHOWN else ""
        raise CheckFailed(f"{what}: " + "; ".join(problems[:_SHOWN]) + more)


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


# --- the checks ------------------------------------------------------------------


def has_samples(subject: ExtractorSubject) -> str:
    """The extractor brings at least one sample of its own."""
    if not subject.own:
        raise CheckFailed("no samples: put example documents in the samples/ folder")
    return f"{len(subject.own)} sample(s)"


def identifies_own_samples(subject: ExtractorSubject) -> str:
    """``identify`` says yes to every own sample."""
    problems = []
    for path in subject.own:
        verdict = claims(subject.extractor, subject.raw(path))
        if verdict is not True:
            problems.append(f"{_name(path)}: {verdict or 'not recognised'}")
    _fail_if(problems, "own samples not identified")
    return f"{len(subject.own)} identified"


def rejects_other_samples(subject: ExtractorSubject) -> str:
    """``identify`` says no to every other sample of the repository."""
    if not subject.others:
        raise CheckFailed(f"no repository samples to refuse: set {sample_files.SAMPLES_ENV} "
                          "to the o2c repository's tests/samples folder")
    problems = []
    for path in subject.others:
        verdict = claims(subject.extractor, subject.raw(path))
        if verdict is not False:
            problems.append(f"{_name(path)}: {'claimed' if verdict is True else verdict}")
    _fail_if(problems, "other samples claimed")
    return f"{len(subject.others)} refused"


def claimed_exactly_once(subject: ExtractorSubject) -> str:
    """No other installed extractor claims this one's samples."""
    problems = []
    for path in subject.own:
        raw = subject.raw(path)
        names = [e.name for e in subject.registry.extractors.values() if claims(e, raw) is True]
        if names != [subject.extractor.name]:
            problems.append(f"{_name(path)}: claimed by {', '.join(names) or 'none'}")
    _fail_if(problems, "samples not claimed by exactly one extractor")
    return f"{len(subject.registry.extractors)} extractors asked"


def output_matches_schema(subject: ExtractorSubject) -> str:
    """Every order read from the own samples is valid against the canonical schema."""
    from jsonschema.validators import validator_for

    validator = validator_for(subject.schema)(subject.schema)
    problems, orders = [], 0
    for path in subject.own:
        outcome = subject.outcome(path)
        if outcome.crash:
            problems.append(f"{_name(path)}: crashed: {outcome.crash}")
        for index, order in enumerate(outcome.orders or []):
            orders += 1
            for error in list(validator.iter_errors(order))[:1]:
                where = "/".join(str(p) for p in error.absolute_path) or "(top)"
                problems.append(f"{_name(path)} order {index + 1} {where}: {error.message}")
    _fail_if(problems, "output not valid")
    if not orders:
        raise CheckFailed("no sample gives an order: add one sample that holds an order")
    return f"{orders} order(s) valid"


def deterministic(subject: ExtractorSubject) -> str:
    """A second extraction, by a fresh extractor, gives the same output; the document
    is left as it was."""
    fresh = type(subject.extractor)()
    fresh.registry = subject.registry
    problems = []
    for path in subject.own:
        first = subject.outcome(path)
        raw = subject.raw(path)
        metadata = json.dumps(raw.metadata, sort_keys=True, default=str)
        again, other = extract_once(subject.extractor, raw), extract_once(fresh, raw)
        for label, later in (("second run", again), ("fresh extractor", other)):
            if (later.orders, later.error) != (first.orders, first.error):
                problems.append(f"{_name(path)}: {label} differs")
        if json.dumps(raw.metadata, sort_keys=True, default=str) != metadata:
            problems.append(f"{_name(path)}: extract changed the document's metadata")
    _fail_if(problems, "not deterministic")
    return f"{len(subject.own)} sample(s) read three times alike"


def junk_is_bad_document(subject: ExtractorSubject) -> str:
    """Random bytes and an empty file raise BadDocument; a truncated sample raises
    BadDocument or still gives valid orders, never another exception."""
    noise = random.Random(13).randbytes(4096)  # noqa: S311 - junk, not a secret
    junk = {"random bytes": noise, "empty file": b""}
    problems = []
    for label, content in junk.items():
        outcome = extract_once(subject.extractor, RawDocument(content, f"{label}.bin"))
        if outcome.error is None:
            problems.append(f"{label}: {outcome.crash or _orders_instead(outcome)}")
    for path in subject.own[:_SHOWN]:
        content = path.read_bytes()
        cut = RawDocument(content[: len(content) // 2], path.name, subject.channel)  # type: ignore[arg-type]
        outcome = extract_once(subject.extractor, cut)
        if outcome.crash:
            problems.append(f"{_name(path)} cut in half: {outcome.crash}")
    _fail_if(problems, "junk not refused with BadDocument")
    return "random, empty and truncated input refused"


def no_network_in_extract(subject: ExtractorSubject) -> str:
    """Extraction opens no connection and looks up no host name."""
    problems = [f"{_name(p)}: {subject.outcome(p).network[0]}"
                for p in subject.own if subject.outcome(p).network]
    _fail_if(problems, "network used")
    return "no connection attempted"


ExtractorCheck = Callable[[ExtractorSubject], str]

#: Every extractor check, by name, in the order they run.
EXTRACTOR_CHECKS: dict[str, ExtractorCheck] = {
    "has samples": has_samples,
    "identifies its own samples": identifies_own_samples,
    "rejects every other sample": rejects_other_samples,
    "each sample claimed by exactly one extractor": claimed_exactly_once,
    "output valid against the canonical schema": output_matches_schema,
    "deterministic and idempotent": deterministic,
    "junk raises BadDocument": junk_is_bad_document,
    "no network in extract": no_network_in_extract,
}


def run_checks(checks: dict[str, Callable[[Any], str]], subject: Any) -> Iterator[CheckResult]:
    """Run every check on the subject, yielding each result as it comes; a crash in a
    check is a failure, not an abort."""
    for name, check in checks.items():
        try:
            yield CheckResult(name, True, check(subject))
        except CheckFailed as exc:
            yield CheckResult(name, False, str(exc))
        except Exception as exc:  # the connector broke the check itself
            yield CheckResult(name, False, f"{type(exc).__name__}: {exc}")


def _orders_instead(outcome: Outcome) -> str:
    return f"gave {len(outcome.orders or [])} order(s) instead of raising BadDocument"
