"""``o2c connectors check``: the contract checks on an installed connector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from connectors.base import Registry
from connectors.sdk.checks import EXTRACTOR_CHECKS, CheckResult, ExtractorSubject, run_checks
from connectors.sdk.samples import sample_files
from connectors.sdk.transport_checks import TRANSPORT_CHECKS, TransportSubject
from hub.errors import ConfigError

Kind = Literal["transport", "extractor"]


def kinds_of(name: str, registry: Registry, kind: Kind | None = None) -> list[Kind]:
    """Which kinds of connector are installed under ``name`` (a portal is both).

    Raises:
        ConfigError: when none is, naming the installed ones.
    """
    found: list[Kind] = []
    if name in registry.extractors and kind in (None, "extractor"):
        found.append("extractor")
    if name in registry.transports and kind in (None, "transport"):
        found.append("transport")
    if not found:
        known = sorted({*registry.extractors, *registry.transports})
        raise ConfigError(f"no {kind or 'connector'} named {name!r} is installed; "
                          f"known: {', '.join(known)}")
    return found


def check_installed(
    name: str,
    *,
    kind: Kind | None = None,
    samples: list[Path] | None = None,
    repository: Path | None = None,
    settings: dict[str, Any] | None = None,
    registry: Registry | None = None,
) -> Iterator[tuple[Kind, CheckResult]]:
    """Run the contract on the connector ``name``, yielding each result as it comes.

    Args:
        name: The connector's registry name.
        kind: Only this kind, when a name is both an extractor and a transport.
        samples: The extractor's own samples (default: ``samples/`` beside its module).
        repository: The samples tree it must refuse (default: found, or ``O2C_SAMPLES``).
        settings: Working transport settings (default: its fields' examples).
        registry: The installed connectors (default: ``Registry.default()``).
    """
    registry = registry or Registry.default()
    for found in kinds_of(name, registry, kind):
        if found == "extractor":
            own = sample_files(*samples) if samples else None
            subject: Any = ExtractorSubject.build(name, own=own, repository=repository,
                                                  registry=registry)
            checks: Any = EXTRACTOR_CHECKS
        else:
            try:
                subject = TransportSubject.build(registry.transports[name], settings)
            except AssertionError as exc:  # no example settings: the first check says so
                yield found, CheckResult("configuration loads", False, str(exc))
                continue
            checks = TRANSPORT_CHECKS
        for result in run_checks(checks, subject):
            yield found, result
