"""The contract every transport keeps, as plain checks (see :mod:`connectors.sdk.checks`).

A transport is checked from a working example of its settings: the values its
configuration fields declare as ``examples``, or those a test gives. Secrets are named
by settings keys ending in ``_env``; the checks put a canary secret in each such
variable and make sure it shows up in no log line, no error and no ``repr``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from connectors.base import Registry, Transport
from connectors.sdk.checks import CheckFailed
from connectors.sdk.guards import captured_logs, no_network
from hub.errors import ConfigError, O2CError, TransientError

UNKNOWN_OPTION = "no_such_option"


@dataclass
class TransportSubject:
    """A transport class and a working example of its settings."""

    transport: type[Transport]
    settings: dict[str, Any]
    canary: str = field(default_factory=lambda: "canary-" + secrets.token_hex(8))

    @classmethod
    def build(cls, transport: type[Transport] | str,
              settings: dict[str, Any] | None = None) -> TransportSubject:
        """The subject for a transport class (or the name of an installed one); settings
        default to the examples its configuration fields declare."""
        if isinstance(transport, str):
            transports = Registry.default().transports
            if transport not in transports:
                raise ConfigError(f"no transport named {transport!r}; "
                                  f"known: {', '.join(sorted(transports))}")
            transport = transports[transport]
        return cls(transport, settings if settings is not None else example_settings(transport))

    def secret_keys(self) -> list[str]:
        """The settings keys that name an environment variable holding a secret."""
        fields = self.transport.config_model.model_fields
        return [key for key in fields if key.endswith("_env")]

    @contextmanager
    def with_canary_secrets(self) -> Iterator[dict[str, Any]]:
        """The settings with every secret variable set to the canary, for the block."""
        settings = dict(self.settings)
        names = []
        for key in self.secret_keys():
            settings[key] = f"O2C_CONTRACT_{key.upper()}"
            names.append(settings[key])
        saved = {name: os.environ.get(name) for name in names}
        os.environ.update(dict.fromkeys(names, self.canary))
        try:
            yield settings
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def example_settings(transport: type[Transport]) -> dict[str, Any]:
    """Settings built from the first example each field declares.

    Raises:
        CheckFailed: when a required field declares none.
    """
    settings = {}
    for key, info in transport.config_model.model_fields.items():
        if info.examples:
            settings[key] = info.examples[0]
        elif info.is_required():
            raise CheckFailed(f"required field {key!r} declares no example; add "
                              "Field(examples=[...]) or give the settings to the check")
    return settings


def fields_documented(subject: TransportSubject) -> str:
    """Every configuration field carries a docstring."""
    fields = subject.transport.config_model.model_fields
    bare = [key for key, info in fields.items() if not (info.description or "").strip()]
    if bare:
        raise CheckFailed(f"fields without a docstring: {', '.join(bare)}")
    return f"{len(fields)} field(s) documented"


def config_loads(subject: TransportSubject) -> str:
    """The example settings build the transport."""
    with subject.with_canary_secrets() as settings:
        transport = subject.transport.from_settings(settings)
    if not isinstance(transport.config, subject.transport.config_model):
        raise CheckFailed("from_settings did not give the transport its typed configuration")
    return "settings accepted"


def bad_config_is_clear(subject: TransportSubject) -> str:
    """An unknown option and each missing required option give a ConfigError naming it."""
    cases = {UNKNOWN_OPTION: {**subject.settings, UNKNOWN_OPTION: 1}}
    for key, info in subject.transport.config_model.model_fields.items():
        if info.is_required():
            cases[key] = {k: v for k, v in subject.settings.items() if k != key}
    problems = []
    for key, settings in cases.items():
        try:
            subject.transport.from_settings(settings)
        except ConfigError as exc:
            if key not in str(exc):
                problems.append(f"{key}: the error does not name it: {exc}")
        except Exception as exc:  # anything but a ConfigError is the finding
            problems.append(f"{key}: {type(exc).__name__} instead of ConfigError")
        else:
            problems.append(f"{key}: accepted")
    if problems:
        raise CheckFailed("; ".join(problems))
    return f"{len(cases)} bad setting(s) refused by name"


def _fetch_offline(subject: TransportSubject) -> tuple[BaseException | None, list[str], str]:
    with subject.with_canary_secrets() as settings, captured_logs() as lines:
        transport = subject.transport.from_settings(settings)
        shown = f"{transport!r} {transport.config!r}"
        error: BaseException | None = None
        with no_network():
            try:
                for _document in transport.fetch():
                    break
            except Exception as exc:  # judged by the checks below
                error = exc
    return error, lines, shown


def offline_fetch_fails_cleanly(subject: TransportSubject) -> str:
    """With the network down, fetch raises TransientError or ConfigError (or finds
    nothing), so that the scheduler retries or pauses instead of crashing."""
    error, _lines, _shown = _fetch_offline(subject)
    if error is None:
        return "nothing fetched"
    if not isinstance(error, TransientError | ConfigError):
        kind = "an o2c error" if isinstance(error, O2CError) else "not an o2c error"
        raise CheckFailed(f"{type(error).__name__} ({kind}): {error}")
    return f"{type(error).__name__}: {error}"


def secrets_redacted(subject: TransportSubject) -> str:
    """The secret never shows in a log line, an error or the transport's repr."""
    if not subject.secret_keys():
        return "no secret settings"
    error, lines, shown = _fetch_offline(subject)
    places = {"repr": shown, "error": f"{error!s} {error!r}" if error else ""}
    places.update({f"log line {n + 1}": line for n, line in enumerate(lines)})
    leaks = [where for where, text in places.items() if subject.canary in text]
    if leaks:
        raise CheckFailed(f"secret shown in: {', '.join(leaks)}")
    return f"{len(lines)} log line(s) and the error clean"


#: Every transport check, by name, in the order they run.
TRANSPORT_CHECKS: dict[str, Callable[[TransportSubject], str]] = {
    "configuration fields documented": fields_documented,
    "configuration loads": config_loads,
    "bad configuration gives a clear ConfigError": bad_config_is_clear,
    "network failure gives TransientError or ConfigError": offline_fetch_fails_cleanly,
    "secrets redacted from logs and errors": secrets_redacted,
}
