"""Order sheets as grids of cells: CSV text decoded and split, XLSX workbooks read safely.

Text is decoded strictly: a byte-order mark decides; otherwise UTF-8, else Windows-1252
(the two encodings French spreadsheet exports actually use). A file that is neither, or
that mixes both (UTF-8 accents read as ``Ã©``), is refused with the row where it breaks,
never decoded into wrong letters. XLSX files are zip archives: their members' sizes and
compression ratios are checked before openpyxl opens them, and sheets are read up to a
row and column cap.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hub.errors import BadDocument

Cell = str | int | float | Decimal | date | datetime | time | timedelta | bool | None

MAX_ROWS = 100_000
"""Rows read per sheet; a bigger sheet is refused rather than read for minutes."""
MAX_COLUMNS = 64
"""Columns read per row: order sheets have a dozen; the rest of a wide row is ignored."""
MAX_ZIP_MEMBERS = 2_000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
"""Sheet XML compresses 10 to 50 times; far more means a zip bomb."""
_RATIO_FLOOR = 1024 * 1024  # small members may compress a lot without harm
IDENTIFY_BYTES = 64 * 1024
_DELIMITERS = (";", ",", "\t", "|")
_EXCEL_SEP = re.compile(r'^"?sep=([;,\t|])"?[ \t]*(?=\r?\n|$)')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HIGH_1252 = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")
_MOJIBAKE = re.compile(f"[ÂÃ][{re.escape(_HIGH_1252)}]|â€")
# Windows-1252 signs that never follow a lowercase letter in real text, but are what
# Mac Roman accents (é, à, î...) become when read as Windows-1252.
_OTHER_8BIT = re.compile(r"[a-z][ƒˆ˜†‡‰Ž]")
_FOREIGN = re.compile(
    rb"^\s*(?:UNA|UNB\+|ISA[*|^~]|<|%PDF|\{|From |(?:received|return-path|mime-version"
    rb"|message-id|from|to|cc|date|sender|reply-to|delivered-to|x-[\w-]+|content-type"
    rb"|subject|dkim-signature|arc-[\w-]+|authentication-results|user-agent):)",
    re.IGNORECASE,
)


@dataclass
class Grid:
    """The cells of one sheet, row by row; ``rows[0]`` is the sheet's row 1.

    Attributes:
        format: ``"csv"`` or ``"xlsx"``.
        sheet: The worksheet title (XLSX), None for CSV.
        rows: Cells as read: strings for CSV; numbers, dates and strings for XLSX.
    """

    format: str
    sheet: str | None
    rows: list[list[Cell]]

    def where(self, row: int, column: int | None = None, label: str | None = None) -> str:
        """A place in the sheet for error messages: ``row 12, column Quantité``.

        Args:
            row: Index into ``rows`` (0-based).
            column: Index of the cell in the row (0-based), when one is meant.
            label: The column's header label as written.
        """
        parts = [f"sheet {self.sheet!r}"] if self.sheet else []
        parts.append(f"row {row + 1}")
        if column is not None:
            name = label or _column_letters(column)
            cell = f" ({_column_letters(column)}{row + 1})" if self.format == "xlsx" else ""
            parts.append(f"column {name}{cell}")
        return ", ".join(parts)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_xlsx(content: bytes) -> bool:
    """Whether the bytes are an Office Open XML workbook (a zip with ``xl/workbook.xml``)."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def is_foreign_text(content: bytes) -> bool:
    """Whether the bytes start like a format other extractors read (EDI, XML, PDF, mail)."""
    head = content[:4096].removeprefix(codecs.BOM_UTF8)
    return bool(_FOREIGN.match(head)) or (b"\x00" in head[:1024] and not _utf16_bom(head))


def _utf16_bom(content: bytes) -> bool:
    return content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


# --- text --------------------------------------------------------------------------


def decode_text(content: bytes) -> str:
    """Decode a text sheet strictly.

    Raises:
        BadDocument: for empty or binary content, bytes that are neither UTF-8 nor
            Windows-1252, or a file mixing both; naming the row.
    """
    if not content.strip():
        raise BadDocument("empty file")
    if content.startswith(codecs.BOM_UTF8):
        text = _strict(content[3:], "utf-8")
    elif _utf16_bom(content):
        text = _strict(content, "utf-16")
    else:
        _refuse_binary(content)
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = _strict(content, "cp1252")
            _refuse_mixed(text)
    _refuse_control(text)
    return text


def _strict(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        row = content[: exc.start].count(b"\n") + 1
        byte = content[exc.start]
        names = "UTF-8 nor Windows-1252" if encoding == "cp1252" else encoding.upper()
        raise BadDocument(
            f"not {names} text: byte 0x{byte:02x} cannot be decoded", location=f"row {row}"
        ) from None


def _refuse_binary(content: bytes) -> None:
    nul = content.find(b"\x00")
    if nul >= 0:
        raise BadDocument(f"binary content, not a text sheet (NUL byte at offset {nul})")


def _refuse_mixed(text: str) -> None:
    match = _MOJIBAKE.search(text)
    if match:
        row = text.count("\n", 0, match.start()) + 1
        raise BadDocument(
            f"mixes UTF-8 and Windows-1252 text ({match.group()!r} is a UTF-8 letter read "
            "as Windows-1252); re-save the file in one encoding",
            location=f"row {row}",
        )
    match = _OTHER_8BIT.search(text)
    if match:
        row = text.count("\n", 0, match.start()) + 1
        raise BadDocument(
            f"not Windows-1252 text ({match.group()!r} inside a word: Mac Roman or another "
            "8-bit encoding); re-save the file as UTF-8",
            location=f"row {row}",
        )


def _refuse_control(text: str) -> None:
    match = _CONTROL.search(text)
    if match:
        row = text.count("\n", 0, match.start()) + 1
        raise BadDocument(
            f"binary content, not a text sheet (control character U+{ord(match.group()):04X})",
            location=f"row {row}",
        )


def decode_prefix(content: bytes) -> str | None:
    """The first bytes decoded for recognition: strict when possible, else lenient.

    Recognition must still work on a sheet in a wrong encoding so that the extractor can
    then refuse it with the reason, instead of no extractor claiming it at all.
    """
    head = content[:IDENTIFY_BYTES]
    if not head.strip() or (b"\x00" in head and not _utf16_bom(head)):
        return None
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    encoding = "utf-16" if _utf16_bom(head) else "utf-8"
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return head.decode("cp1252", errors="replace")


def split_csv(text: str, score: Callable[[list[list[Cell]]], int], *, max_rows: int) -> Grid:
    """Split CSV text into rows with the delimiter that reveals a lines table best.

    Args:
        text: The decoded text.
        score: How well rows show an order sheet (the number of known column labels on
            the best row); the delimiter with the highest score wins, ``;`` on a tie.
        max_rows: Row cap.

    Raises:
        BadDocument: on a malformed CSV or more rows than the cap.
    """
    hint = _EXCEL_SEP.match(text)
    if hint:  # Excel's "sep=;" first line names the delimiter; the row stays, empty
        text = text[: hint.start(1) - 4] + text[hint.end(0):]
        return Grid("csv", None, _read_rows(text, hint.group(1), max_rows))
    sample = text[:IDENTIFY_BYTES].rsplit("\n", 1)[0] if len(text) > IDENTIFY_BYTES else text
    delimiter = max(_DELIMITERS, key=lambda d: (_sample_score(sample, d, score), -_rank(d)))
    return Grid("csv", None, _read_rows(text, delimiter, max_rows))


def _rank(delimiter: str) -> int:
    return _DELIMITERS.index(delimiter)


def _sample_score(sample: str, delimiter: str, score: Callable[[list[list[Cell]]], int]) -> int:
    try:
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
        rows: list[list[Cell]] = [list(r) for r in reader]
    except csv.Error:
        return -1
    return score(rows)


def _read_rows(text: str, delimiter: str, max_rows: int) -> list[list[Cell]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Cell]] = []
    try:
        for row in reader:
            if len(rows) >= max_rows:
                raise BadDocument(f"more than {max_rows} rows; split the sheet")
            rows.append(list(row[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise BadDocument(f"malformed CSV: {exc}", location=f"row {len(rows) + 1}") from None
    return rows


# --- xlsx --------------------------------------------------------------------------


def check_zip(content: bytes) -> None:
    """Refuse an archive whose members would unpack into too much data.

    zipfile never reads more than a member's declared size, so checking the declared
    sizes bounds what openpyxl can unpack.

    Raises:
        BadDocument: a damaged or encrypted archive, too many members, a member that
            unpacks too large or compresses too well.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadDocument(f"damaged XLSX workbook: {exc}") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise BadDocument(f"XLSX archive has {len(members)} parts; refused as a zip bomb")
    total = 0
    for member in members:
        _check_member(member)
        total += member.file_size
    if total > MAX_UNPACKED_BYTES:
        raise BadDocument(f"XLSX unpacks to {total} bytes; refused as a zip bomb")


def _check_member(member: zipfile.ZipInfo) -> None:
    if member.flag_bits & 0x1:
        raise BadDocument("encrypted XLSX workbook; save it without a password")
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
        raise BadDocument(
            f"XLSX part {member.filename!r} expands {ratio:.0f} times "
            f"({member.file_size} bytes); refused as a zip bomb"
        )


def read_xlsx(content: bytes, *, max_rows: int) -> list[Grid]:
    """The visible worksheets of a workbook as grids.

    Raises:
        BadDocument: unsafe or damaged archive, unreadable workbook, a sheet over the cap.
    """
    import openpyxl

    check_zip(content)
    try:
        # openpyxl parses the parts with defusedxml when it is installed (it is a
        # dependency of o2c), so entity tricks inside the XML are refused too.
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except BadDocument:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged or hostile parts
        raise BadDocument(f"unreadable XLSX workbook: {_why(exc)}") from None
    try:
        return [
            Grid("xlsx", sheet.title, _sheet_rows(sheet, max_rows))
            for sheet in book.worksheets
            if sheet.sheet_state == "visible"
        ]
    finally:
        book.close()


def _sheet_rows(sheet: object, max_rows: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    title = getattr(sheet, "title", "?")
    try:
        for row in sheet.iter_rows(  # type: ignore[attr-defined]
            max_row=max_rows + 1, max_col=MAX_COLUMNS, values_only=True
        ):
            if len(rows) >= max_rows:
                raise BadDocument(f"sheet {title!r} has more than {max_rows} rows; split it")
            rows.append(_trim(row))
    except BadDocument:
        raise
    except Exception as exc:  # damaged or hostile sheet XML
        raise BadDocument(
            f"unreadable sheet {title!r}: {_why(exc)}",
            location=f"row {len(rows) + 1}",
        ) from None
    return rows


def _why(exc: BaseException) -> str:
    """The root reason of an openpyxl failure; XML entity tricks are named as such."""
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return f"its XML declares a DTD or entities ({cause}); refused as hostile"
        cause = cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _trim(row: Sequence[Cell]) -> list[Cell]:
    cells = list(row)
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    return cells
