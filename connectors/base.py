"""The connector contract and its registry.

A *transport* finds raw documents at a source (a folder, a mailbox, a portal) and
yields them. An *extractor* turns the bytes of one document into canonical orders: it
says whether it recognises a document (:meth:`Extractor.identify`) and reads it
(:meth:`Extractor.extract`). Extractors are pure and do no I/O; they raise
:class:`hub.errors.BadDocument` with a one-line reason on anything they cannot read.

Built-in connectors are listed explicitly below; third-party ones are found through the
entry-point groups ``o2c.extractors`` and ``o2c.transports``.
"""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from hub.documents import RawDocument
from hub.errors import BadDocument, ConfigError
from hub.model import Order

log = logging.getLogger(__name__)

__all__ = ["Extractor", "RawDocument", "ReferenceData", "Registry", "Transport", "TransportConfig"]

BUILTIN_EXTRACTORS: tuple[str, ...] = (
    "connectors.edi.edifact:EdifactExtractor",
    "connectors.edi.ubl:UblOrderExtractor",
    "connectors.edi.orderx:OrderXExtractor",
    "connectors.edi.x12:X12OrderExtractor",
    "connectors.documents.sheets:SheetExtractor",
    "connectors.documents.pdf:PdfTextExtractor",
    "connectors.fax_ocr.extractor:FaxOcrExtractor",
    "connectors.web.capture:WebPortalExtractor",
    "connectors.email.mime:EmailExtractor",
)
BUILTIN_TRANSPORTS: tuple[str, ...] = (
    "connectors.folder:FolderTransport",
    "connectors.web.portal:PortalTransport",
    "connectors.email.imap:ImapTransport",
)

EXTRACTOR_GROUP = "o2c.extractors"
TRANSPORT_GROUP = "o2c.transports"


@dataclass
class ReferenceData:
    """Master data an extractor may use to repair what it read (never to decide).

    OCR and free-text readers snap a misread item code or GTIN to the nearest known
    one and mark the field as snapped; deciding which customer or product an order
    means remains the validation robot's job.
    """

    item_codes: frozenset[str] = frozenset()
    gtins: frozenset[str] = frozenset()
    customer_names: frozenset[str] = frozenset()


class Extractor(ABC):
    """Reads orders out of one kind of document.

    Subclasses set ``name`` (unique in the registry) and ``formats`` (the values they
    write to ``source.format``).
    """

    name: ClassVar[str]
    formats: ClassVar[tuple[str, ...]] = ()
    registry: Registry | None = None

    @abstractmethod
    def identify(self, raw: RawDocument) -> bool:
        """Whether this extractor reads this document; from content, never the name."""

    @abstractmethod
    def extract(self, raw: RawDocument) -> list[Order]:
        """Every order in the document.

        Raises:
            BadDocument: with a one-line reason naming the place in the document.
        """

    @property
    def reference(self) -> ReferenceData:
        """Master data for repairs, empty when the registry has none."""
        return self.registry.reference if self.registry else ReferenceData()


class TransportConfig(BaseModel):
    """Base of every transport's typed configuration (one section of ``o2c.toml``).

    Each field carries a docstring; secrets are named by the environment variable or
    file that holds them, never written in the settings file.
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Transport(ABC):
    """Finds raw documents at a source and settles them once they are stored."""

    name: ClassVar[str]
    config_model: ClassVar[type[TransportConfig]] = TransportConfig

    def __init__(self, config: TransportConfig) -> None:
        self.config = config

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Transport:
        """Build the transport from its settings section.

        Raises:
            ConfigError: naming the bad field and how to fix it.
        """
        from pydantic import ValidationError

        try:
            return cls(cls.config_model.model_validate(settings))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"transport {cls.name!r}: {problems}") from None

    @abstractmethod
    def fetch(self) -> Iterator[RawDocument]:
        """Yield the documents that are new at the source."""

    def settle(self, raw: RawDocument, *, ok: bool, reason: str | None = None) -> None:  # noqa: B027
        """Tell the source the document is stored (ok) or quarantined (with the reason).

        The default does nothing; a folder moves the file, a mailbox moves the message.
        """


def _load(spec: str) -> type:
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _entry_points(group: str) -> list[metadata.EntryPoint]:
    return list(metadata.entry_points(group=group))


class Registry:
    """The extractors and transports this installation knows.

    Args:
        extractors: Extractor classes, in the order they are asked.
        transports: Transport classes.
        reference: Master data the extractors may use for repairs.
    """

    def __init__(
        self,
        extractors: Iterable[type[Extractor]] = (),
        transports: Iterable[type[Transport]] = (),
        reference: ReferenceData | None = None,
    ) -> None:
        self.reference = reference or ReferenceData()
        self.extractors: dict[str, Extractor] = {}
        self.transports: dict[str, type[Transport]] = {}
        for extractor_class in extractors:
            self.add_extractor(extractor_class)
        for transport_class in transports:
            self.add_transport(transport_class)

    @classmethod
    def default(cls, reference: ReferenceData | None = None) -> Registry:
        """The built-in connectors plus every installed entry point."""
        registry = cls(reference=reference)
        for spec in BUILTIN_EXTRACTORS:
            registry.add_extractor(_load(spec))
        for spec in BUILTIN_TRANSPORTS:
            registry.add_transport(_load(spec))
        for ep in _entry_points(EXTRACTOR_GROUP):
            registry.add_extractor(ep.load())
        for ep in _entry_points(TRANSPORT_GROUP):
            registry.add_transport(ep.load())
        return registry

    def add_extractor(self, extractor_class: type[Extractor]) -> None:
        """Register an extractor class. A second one with the same name is an error."""
        name = extractor_class.name
        if name in self.extractors:
            raise ConfigError(f"two extractors are named {name!r}; rename one of them")
        extractor = extractor_class()
        extractor.registry = self
        self.extractors[name] = extractor

    def add_transport(self, transport_class: type[Transport]) -> None:
        """Register a transport class. A second one with the same name is an error."""
        if transport_class.name in self.transports:
            raise ConfigError(
                f"two transports are named {transport_class.name!r}; rename one of them"
            )
        self.transports[transport_class.name] = transport_class

    def identify(self, raw: RawDocument) -> Extractor:
        """The one extractor that recognises the document.

        Raises:
            BadDocument: when none does, or when two do (a connector bug to report).
        """
        claims = [e for e in self.extractors.values() if self._claims(e, raw)]
        if not claims:
            raise BadDocument("no extractor recognises this document format", source=raw.name)
        if len(claims) > 1:
            names = ", ".join(e.name for e in claims)
            raise BadDocument(
                f"claimed by several extractors ({names}); report this connector conflict",
                source=raw.name,
            )
        return claims[0]

    def extract(self, raw: RawDocument, *, connector: str | None = None) -> list[Order]:
        """The orders in a document, by the extractor that recognises it.

        Args:
            raw: The document.
            connector: Use this extractor by name instead of identifying one.

        Raises:
            BadDocument: naming the document and the reason; an extractor's unexpected
                failure is reported the same way so that one document never stops a batch.
        """
        extractor = self.extractor(connector) if connector else self.identify(raw)
        try:
            return extractor.extract(raw)
        except BadDocument as exc:
            raise exc.with_source(raw.name) from None
        except RecursionError:
            raise BadDocument("document nests too deeply", source=raw.name) from None
        except Exception as exc:  # a bug in one extractor must not stop the batch
            log.exception("extractor %s failed on %s", extractor.name, raw.name)
            raise BadDocument(
                f"extractor {extractor.name} failed: {type(exc).__name__}: {exc}",
                source=raw.name,
            ) from None

    def extractor(self, name: str) -> Extractor:
        """The extractor named ``name``.

        Raises:
            ConfigError: naming the known extractors.
        """
        try:
            return self.extractors[name]
        except KeyError:
            known = ", ".join(sorted(self.extractors))
            raise ConfigError(f"no extractor named {name!r}; known: {known}") from None

    @staticmethod
    def _claims(extractor: Extractor, raw: RawDocument) -> bool:
        try:
            return extractor.identify(raw)
        except Exception:  # identify must never break detection for the others
            log.exception("identify of %s failed on %s", extractor.name, raw.name)
            return False
