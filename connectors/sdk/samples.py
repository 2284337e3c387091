"""Finding sample documents: a connector's own, and every other one in the repository.

A sample is an input file; its expected output (the golden file) sits beside it with
the same stem and ``.json`` (``x.edi`` + ``x.json``). Licence notices, generator
scripts, notes and upstream reference outputs are not samples.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from hub.documents import RawDocument

#: Files and folders in a samples tree that are not documents.
NOT_SAMPLES = frozenset(("NOTICE", "LICENSE", "README.md", "MANIFEST.md"))
NOT_SAMPLE_SUFFIXES = frozenset((".py", ".md", ".yml", ".yaml", ".reason.txt"))
NOT_SAMPLE_FOLDERS = frozenset(("upstream", "expected", "__pycache__"))
#: Environment variable naming the repository's samples tree for installed connectors.
SAMPLES_ENV = "O2C_SAMPLES"


def repository_samples(start: Path | None = None) -> Path | None:
    """The o2c repository's ``tests/samples`` folder: ``O2C_SAMPLES``, else found upwards
    from ``start`` (default: the working directory), else beside the o2c source this
    SDK runs from; ``None`` when there is none (an o2c installed without its tests)."""
    if env := os.environ.get(SAMPLES_ENV):
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (*(here, *here.parents), Path(__file__).resolve().parents[2]):
        candidate = folder / "tests" / "samples"
        if candidate.is_dir():
            return candidate
    return None


def package_samples(component: type) -> Path | None:
    """The ``samples/`` folder beside the module that defines ``component``, if any."""
    try:
        module_file = inspect.getfile(component)
    except TypeError:
        return None
    folder = Path(module_file).resolve().parent / "samples"
    return folder if folder.is_dir() else None


def is_golden(path: Path) -> bool:
    """Whether ``path`` is the expected output of another file beside it."""
    if path.suffix != ".json":
        return False
    prefix = path.stem + "."
    return any(
        other != path and (other.stem == path.stem or other.name.startswith(prefix))
        for other in path.parent.iterdir()
    )


def sample_files(*roots: Path) -> list[Path]:
    """Every sample input under ``roots``, sorted, each once."""
    found: set[Path] = set()
    for root in roots:
        if root.is_file():
            found.add(root.resolve())
            continue
        found.update(p.resolve() for p in _walk(root))
    return sorted(found)


def _walk(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in root.rglob("*"):
        if not path.is_file() or path.name in NOT_SAMPLES:
            continue
        if any(part in NOT_SAMPLE_FOLDERS or part.startswith(".") for part in
               path.relative_to(root).parts):
            continue
        if any(path.name.endswith(s) for s in NOT_SAMPLE_SUFFIXES) or is_golden(path):
            continue
        yield path


def golden_for(sample: Path) -> Path:
    """Where the golden file of ``sample`` lives: same folder, same stem, ``.json``."""
    return sample.with_name(sample.name.split(".")[0] + ".json") if sample.suffix == ".json" \
        else sample.with_suffix(".json")


def load(path: Path, *, channel: str = "file") -> RawDocument:
    """A sample as the hub would receive it from a drop folder."""
    return RawDocument(content=path.read_bytes(), name=path.name, channel=channel)  # type: ignore[arg-type]


def others(all_samples: Iterable[Path], own: Iterable[Path]) -> list[Path]:
    """The samples of ``all_samples`` that are not in ``own``."""
    mine = {p.resolve() for p in own}
    return [p for p in all_samples if p.resolve() not in mine]
