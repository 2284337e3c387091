"""Statement files read into statements, one problem line for a file that cannot be read.

Kept apart from the engine so that the worker process which parses large statements
imports the parsers only, not the matching engine and its libraries.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from hub.errors import BadDocument
from matching.statements.model import Statement

StatementParser = Callable[[bytes, str], list[Statement]]

#: Statements this large are parsed in a worker process while the ledger is indexed.
PARALLEL_BYTES = 4 * 1024 * 1024


def default_parser() -> StatementParser:
    """The statement parsers of :mod:`matching.statements` (format found from content)."""
    from matching import statements

    return statements.parse


def read_statements(
    paths: Sequence[Path], parse: StatementParser, problems: list[str]
) -> list[Statement]:
    """Every statement of every file; a file that cannot be read is one problem line."""
    found: list[Statement] = []
    for path in paths:
        statements, problem = read_one(path, parse)
        found.extend(statements)
        if problem:
            problems.append(problem)
    return found


def read_one(path: Path, parse: StatementParser) -> tuple[list[Statement], str | None]:
    """The statements of one file, or none and the problem line."""
    try:
        return parse(path.read_bytes(), path.name), None
    except BadDocument as exc:
        return [], str(exc.with_source(str(path)))
    except OSError as exc:
        return [], f"{path}: cannot read: {exc.strerror}"


def parse_in_worker(path: str, spill: str) -> str | None:
    """:func:`read_one` with the default parsers, as the worker process runs it.

    The statements are pickled to the file ``spill`` rather than returned: a result sent
    through the pool's pipe is read by a thread of the caller, which gets the
    interpreter lock only between the caller's own steps, and the worker stalled on the
    full pipe for seconds while the caller was busy indexing.

    Returns:
        The problem line, or None.
    """
    statements, problem = read_one(Path(path), default_parser())
    with open(spill, "wb") as stream:
        pickle.dump(statements, stream, pickle.HIGHEST_PROTOCOL)
    return problem


class StatementReading:
    """Statements read in the background while the caller loads master data.

    Parsing and indexing are independent and each takes seconds at 100,000 entries; on
    a machine with two cores they run side by side. One worker parses the files in
    order: a second one would take the core the indexing needs (measured slower), and
    the caller looks up each file's transactions as soon as it arrives. Small inputs,
    or a parser given by the caller, are read in the calling process when asked for.
    """

    def __init__(self, paths: Sequence[Path], parse: StatementParser | None) -> None:
        self.paths, self.parse = list(paths), parse
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[str | None]] = []
        self.spills: list[Path] = []
        #: The private folder the worker leaves its results in.
        self.folder: Path | None = None
        size = sum(p.stat().st_size for p in self.paths if p.is_file())
        if parse is None and size >= PARALLEL_BYTES and (os.cpu_count() or 1) > 1:
            folder = self.folder = Path(tempfile.mkdtemp(prefix="o2c-statements-"))
            self.spills = [folder / f"{n}.pickle" for n in range(len(self.paths))]
            context = multiprocessing.get_context("spawn")  # no fork under running threads
            self.pool = ProcessPoolExecutor(1, mp_context=context, initializer=gc.disable)
            self.futures = [self.pool.submit(parse_in_worker, str(p), str(spill))
                            for p, spill in zip(self.paths, self.spills, strict=True)]

    def parsed_all(self) -> bool:
        """Whether every file is parsed (in the calling process: only once read)."""
        return all(future.done() for future in self.futures)

    def files(self, problems: list[str]) -> Generator[list[Statement], None, None]:
        """The statements of each file in file order, each as soon as it is read;
        unreadable files added to ``problems``."""
        if self.pool is None or self.folder is None:
            yield read_statements(self.paths, self.parse or default_parser(), problems)
            return
        try:
            for future, spill in zip(self.futures, self.spills, strict=True):
                problem = future.result()
                if problem:
                    problems.append(problem)
                with spill.open("rb") as stream:
                    # Our own worker wrote this file, in a folder mkdtemp made private.
                    yield pickle.load(stream)  # noqa: S301
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker (files not yet parsed are dropped) and remove its folder;
        once done, or when the caller gave up early."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
