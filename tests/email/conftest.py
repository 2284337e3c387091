"""Fixtures of the e-mail channel tests."""

from __future__ import annotations

import importlib
import logging

import pytest

from connectors import base
from connectors.base import Extractor, Registry

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
