"""The connector registry: names are unique, a document has one reader, plugins load."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import ClassVar

import pytest

from connectors import base
from connectors.base import Extractor, Registry, Transport
from connectors.documents.sheets import SheetExtractor
from connectors.folder import FolderTransport
from hub.documents import RawDocument
from hub.errors import BadDocument, ConfigError
from hub.model import Order
from tests.conftest import SAMPLES

HERE = "tests.connectors.test_registry"


class Greedy(Extractor):
    """Claims everything: the second claimant of any document."""

    name: ClassVar[str] = "greedy"

    def identify(self, raw: RawDocument) -> bool:
        return True

    def extract(self, raw: RawDocument) -> list[Order]:
        raise BadDocument("nothing here", location="line 1")


class Broken(Extractor):
    """Fails in every method, as a buggy plug-in would."""

    name: ClassVar[str] = "broken"

    def identify(self, raw: RawDocument) -> bool:
        raise RuntimeError("identify bug")

    def extract(self, raw: RawDocument) -> list[Order]:
        raise KeyError("extract bug")


class SecondSheets(Greedy):
    """A plug-in that reuses a built-in name."""

    name: ClassVar[str] = "sheets"


class Plugin(Extractor):
    """A third-party extractor found through an entry point."""

    name: ClassVar[str] = "plugin-orders"

    def identify(self, raw: RawDocument) -> bool:
        return raw.content.startswith(b"PLUGIN")

    def extract(self, raw: RawDocument) -> list[Order]:
        return []


class PluginTransport(Transport):
    """A third-party transport found through an entry point."""

    name: ClassVar[str] = "plugin-drop"

    def fetch(self) -> Iterator[RawDocument]:
        yield from ()


def _raw(content: bytes, name: str = "doc.txt") -> RawDocument:
    return RawDocument(content, name)


def test_two_extractors_with_one_name_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="two extractors are named 'greedy'"):
        Registry(extractors=[Greedy, Greedy])


def test_two_transports_with_one_name_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="two transports are named 'folder'"):
        Registry(transports=[FolderTransport, FolderTransport])


def test_a_document_claimed_by_two_extractors_names_both() -> None:
    registry = Registry(extractors=[SheetExtractor, Greedy])
    sheet = (SAMPLES / "sheets" / "en_comma_utf8.csv").read_bytes()

    with pytest.raises(BadDocument) as caught:
        registry.identify(_raw(sheet, "po.csv"))

    assert str(caught.value) == (
        "po.csv: claimed by several extractors (sheets, greedy); report this connector conflict"
    )


def test_a_document_nobody_reads() -> None:
    with pytest.raises(BadDocument, match=r"^notes\.txt: no extractor recognises"):
        Registry(extractors=[SheetExtractor]).identify(_raw(b"hello", "notes.txt"))


def test_a_failing_identify_does_not_stop_detection() -> None:
    registry = Registry(extractors=[Broken, SheetExtractor])
    sheet = _raw((SAMPLES / "sheets" / "en_comma_utf8.csv").read_bytes())
    assert registry.identify(sheet).name == "sheets"


def test_an_extractor_bug_becomes_a_bad_document_naming_it() -> None:
    registry = Registry(extractors=[Broken])
    with pytest.raises(BadDocument) as caught:
        registry.extract(_raw(b"x", "a.edi"), connector="broken")
    assert str(caught.value) == "a.edi: extractor broken failed: KeyError: 'extract bug'"


def test_bad_document_from_an_extractor_gets_the_source_name() -> None:
    with pytest.raises(BadDocument) as caught:
        Registry(extractors=[Greedy]).extract(_raw(b"x", "in.txt"))
    assert str(caught.value) == "in.txt: line 1: nothing here"


def test_an_unknown_extractor_name_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="no extractor named 'edi'; known: greedy, sheets"):
        Registry(extractors=[SheetExtractor, Greedy]).extractor("edi")


def _entry_points(found: dict[str, list[metadata.EntryPoint]]) -> object:
    def lookup(group: str) -> list[metadata.EntryPoint]:
        return found.get(group, [])

    return lookup


def test_entry_points_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_entry_points", _entry_points({
        base.EXTRACTOR_GROUP: [
            metadata.EntryPoint("plugin", f"{HERE}:Plugin", base.EXTRACTOR_GROUP)
        ],
        base.TRANSPORT_GROUP: [
            metadata.EntryPoint("plugin-drop", f"{HERE}:PluginTransport", base.TRANSPORT_GROUP)
        ],
    }))

    registry = Registry.default()

    assert isinstance(registry.extractors["plugin-orders"], Plugin)
    assert registry.extractors["plugin-orders"].registry is registry
    assert registry.transports["plugin-drop"] is PluginTransport
    assert registry.identify(_raw(b"PLUGIN order")).name == "plugin-orders"


def test_a_plugin_reusing_a_builtin_name_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(base, "_entry_points", _entry_points({
        base.EXTRACTOR_GROUP: [
            metadata.EntryPoint("dup", f"{HERE}:SecondSheets", base.EXTRACTOR_GROUP)
        ],
    }))
    with pytest.raises(ConfigError, match="two extractors are named 'sheets'"):
        Registry.default()


def test_installed_entry_points_are_all_registered() -> None:
    registry = Registry.default()
    for ep in base._entry_points(base.EXTRACTOR_GROUP):
        assert type(registry.extractors[ep.load().name]) is ep.load()
    for ep in base._entry_points(base.TRANSPORT_GROUP):
        assert registry.transports[ep.load().name] is ep.load()


def test_every_builtin_loads_with_a_unique_name() -> None:
    registry = Registry.default()
    assert len(registry.extractors) >= len(base.BUILTIN_EXTRACTORS)
    assert registry.extractors["sheets"].formats == ("csv", "xlsx")
    assert registry.transports["folder"] is FolderTransport
    for extractor in registry.extractors.values():
        assert extractor.registry is registry


def _sample_files() -> list[Path]:
    skip = {".json", ".txt", ".md", ".py", ".jsonl", ".yaml", ".yml", ".toml"}
    return sorted(
        p for p in SAMPLES.rglob("*")
        if p.is_file() and p.suffix.lower() not in skip and p.name != "NOTICE"
    )


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_no_sample_is_claimed_by_two_extractors(path: Path) -> None:
    registry = Registry.default()
    raw = _raw(path.read_bytes(), path.name)
    claims = [e.name for e in registry.extractors.values() if registry._claims(e, raw)]
    assert len(claims) <= 1, f"{path.name} claimed by {claims}"
