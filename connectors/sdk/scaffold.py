"""``o2c connectors new``: a new connector package from the templates.

The templates (``templates/common``, ``templates/<kind>``) are ``string.Template``
files; ``__package__`` in a path becomes the package name and ``.tmpl`` is dropped.
Nothing existing is ever overwritten.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

from connectors.base import EXTRACTOR_GROUP, TRANSPORT_GROUP, Registry
from hub.errors import ConfigError

TEMPLATES = Path(__file__).with_name("templates")
Kind = Literal["transport", "extractor"]
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_MAX_NAME = 40


@dataclass(frozen=True)
class Names:
    """Every spelling of a connector's name the templates use."""

    name: str
    kind: Kind

    @property
    def words(self) -> list[str]:
        """The name's words: ``acme-portal`` gives ``acme``, ``portal``."""
        return self.name.split("-")

    def values(self) -> dict[str, str]:
        """The template variables."""
        title = " ".join(w.capitalize() for w in self.words)
        suffix = "Transport" if self.kind == "transport" else "Extractor"
        return {
            "name": self.name,
            "kind": self.kind,
            "title": title,
            "dist": f"o2c-{self.name}",
            "package": "o2c_" + "_".join(self.words),
            "class_name": "".join(w.capitalize() for w in self.words) + suffix,
            "env": "_".join(self.words).upper(),
            "magic": f"{self.name.upper()} ORDER 1",
            "group": TRANSPORT_GROUP if self.kind == "transport" else EXTRACTOR_GROUP,
        }


def check_name(name: str, kind: Kind, registry: Registry | None = None) -> None:
    """Refuse a name that is not lower-case words joined by hyphens, or already taken.

    Raises:
        ConfigError: saying why and what would do.
    """
    if not _NAME.match(name) or len(name) > _MAX_NAME:
        raise ConfigError(f"connector name {name!r}: use lower-case letters, digits and "
                          f"hyphens, starting with a letter (e.g. acme-portal), at most "
                          f"{_MAX_NAME} characters")
    registry = registry or Registry.default()
    taken = registry.transports if kind == "transport" else registry.extractors
    if name in taken:
        raise ConfigError(f"a {kind} named {name!r} is already installed; choose another name")


def scaffold(name: str, kind: Kind, directory: Path,
             registry: Registry | None = None) -> list[Path]:
    """Write a new connector package ``o2c-NAME`` inside ``directory``.

    Returns:
        The files written, the project folder first.

    Raises:
        ConfigError: a bad or taken name, or a project folder that already exists.
    """
    check_name(name, kind, registry)
    values = Names(name, kind).values()
    values["sample_sha256"] = _sample_sha256(kind, values)
    project = directory / values["dist"]
    if project.exists():
        raise ConfigError(f"{project} already exists; nothing was written")
    written = [project]
    for root in (TEMPLATES / "common", TEMPLATES / kind):
        for template in sorted(root.rglob("*.tmpl")):
            relative = template.relative_to(root).as_posix().removesuffix(".tmpl")
            target = project / Template(relative.replace("__package__", "$package")) \
                .substitute(values)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = Template(template.read_text(encoding="utf-8")).substitute(values)
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def _sample_sha256(kind: Kind, values: dict[str, str]) -> str:
    """The sha256 of the example sample as written: its golden file names it."""
    sample = TEMPLATES / kind / "__package__" / "samples" / "example.txt.tmpl"
    text = Template(sample.read_text(encoding="utf-8")).substitute(values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
