"""X12 envelopes: ISA/IEA interchanges, GS/GE groups, ST/SE transaction sets.

The separators come from the fixed-width ISA segment: the element separator is the
fourth character, the component separator and segment terminator follow ISA16. A
segment terminator may be a newline. SE, GE and IEA counts and control numbers are
checked; a fault inside one transaction set is carried by it alone.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

from hub.errors import BadDocument
from hub.model import Order

WHITESPACE = " \r\n\t"


@dataclass(frozen=True)
class Separators:
    """The three X12 delimiters, as the ISA segment declares them."""

    element: str
    component: str
    segment: str


def separators(text: str) -> Separators:
    """Read the delimiters from the ISA segment.

    Raises:
        BadDocument: when the text does not open with a complete ISA.
    """
    if not text.startswith("ISA") or len(text) < 106:
        raise BadDocument("interchange truncated inside ISA", location="segment 1 (ISA)")
    element = text[3]
    position = 3
    for _ in range(15):  # ISA01..ISA16 follow 16 separators; the first is at index 3
        position = text.find(element, position + 1)
        if position < 0:
            raise BadDocument("ISA has fewer than 16 elements", location="segment 1 (ISA)")
    component, segment = text[position + 1], text[position + 2]
    if segment == "\r" and text[position + 3 : position + 4] == "\n":
        segment = "\n"
    if len({element, component, segment}) != 3 or segment.isalnum():
        raise BadDocument("ISA separators are not distinct", location="segment 1 (ISA)")
    return Separators(element, component, segment)


@dataclass
class Transaction:
    """One ST..SE transaction set with the envelope around it."""

    sender: str
    control: str
    ref: str
    kind: str
    group: list[str] = field(default_factory=list)
    isa: list[str] = field(default_factory=list)
    segments: list[list[str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    problem: BadDocument | None = None
    order: Order | None = None

    def where(self, index: int) -> str:
        """Location text for the segment at ``index``."""
        return f"segment {self.numbers[index]} ({self.segments[index][0]}), transaction {self.ref}"


class X12Walker:
    """Walks ISA/GS/ST/SE/GE/IEA envelopes; see :meth:`transactions`."""

    def __init__(self, text: str) -> None:
        self.seps = separators(text)
        pieces = text.split(self.seps.segment)
        self.segments = [
            (number, piece.strip(WHITESPACE).split(self.seps.element))
            for number, piece in enumerate((p for p in pieces if p.strip(WHITESPACE)), start=1)
        ]

    def transactions(self) -> Iterator[Transaction]:
        """Yield each transaction set; one whose envelope is faulty carries its ``problem``.

        A file may hold several ISA..IEA interchanges one after the other.

        Raises:
            BadDocument: for a fault of an interchange (ISA/IEA, GS/GE).
        """
        index = 0
        while index < len(self.segments):
            number, isa = self.segments[index]
            if isa[0] != "ISA":
                raise BadDocument(f"{isa[0]} after IEA", location=f"segment {number} ({isa[0]})")
            index = yield from self._interchange(index)

    def _interchange(self, start: int) -> Generator[Transaction, None, int]:
        isa = self.segments[start][1]
        control = at(isa, 13)
        groups, current, count = 0, None, 0
        index = start + 1
        while index < len(self.segments):
            number, segment = self.segments[index]
            tag, where = segment[0], f"segment {number} ({segment[0]})"
            if tag == "GS":
                groups, current, count = groups + 1, segment, 0
            elif tag == "ST" and current is not None:
                transaction, index = self._read(index, isa, current)
                count += 1
                yield transaction
                continue
            elif tag == "GE" and current is not None:
                _check(at(segment, 1) == str(count), f"GE counts {at(segment, 1)!r} "
                       f"transaction sets, group holds {count}", where)  # fmt: skip
                _check(at(segment, 2) == at(current, 6), "GE control number does not match GS",
                       where)  # fmt: skip
                current = None
            elif tag == "IEA":
                _check(current is None, "a GS group has no GE", where)
                _check(at(segment, 1) == str(groups), f"IEA counts {at(segment, 1)!r} "
                       f"groups, interchange holds {groups}", where)  # fmt: skip
                _check(at(segment, 2) == control, "IEA control number does not match ISA", where)
                return index + 1
            else:
                raise BadDocument(f"{tag} outside any transaction set", location=where)
            index += 1
        raise BadDocument("interchange truncated: IEA missing at the end",
                          location=f"after segment {self.segments[-1][0]}")  # fmt: skip

    def _read(self, index: int, isa: list[str], group: list[str]) -> tuple[Transaction, int]:
        number, st = self.segments[index]
        transaction = Transaction(
            at(isa, 6), at(isa, 13), ref=at(st, 2), kind=at(st, 1), group=group, isa=isa
        )
        for position in range(index, len(self.segments)):
            number, segment = self.segments[position]
            if segment[0] in ("ST", "GE", "IEA", "GS") and position != index:
                transaction.problem = BadDocument(
                    f"transaction {transaction.ref} has no SE",
                    location=f"segment {number} ({segment[0]})",
                )
                return transaction, position
            transaction.segments.append(segment)
            transaction.numbers.append(number)
            if segment[0] == "SE":
                return _check_se(transaction), position + 1
        raise BadDocument("interchange truncated: SE missing at the end",
                          location=f"after segment {number}")  # fmt: skip


def _check(condition: bool, reason: str, where: str) -> None:
    if not condition:
        raise BadDocument(reason, location=where, code="CONTROL_COUNT_MISMATCH")


def _check_se(transaction: Transaction) -> Transaction:
    se = transaction.segments[-1]
    where = transaction.where(len(transaction.segments) - 1)
    count = len(transaction.segments)
    if at(se, 1).lstrip("0") != str(count):
        transaction.problem = BadDocument(
            f"SE counts {at(se, 1)!r} segments, transaction has {count}",
            location=where, code="CONTROL_COUNT_MISMATCH")  # fmt: skip
    elif at(se, 2) != transaction.ref:
        transaction.problem = BadDocument("SE control number does not match ST", location=where,
                                          code="CONTROL_REFERENCE_MISMATCH")  # fmt: skip
    return transaction


def at(segment: list[str], index: int) -> str:
    """Element ``index`` of a split segment, stripped ('' when absent)."""
    return segment[index].strip() if index < len(segment) else ""
