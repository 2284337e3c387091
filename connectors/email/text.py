"""Turning a mail body into the lines its author wrote for this message.

Quoted replies, signatures and legal disclaimers are cut before the order reader sees
the text: they repeat older orders, phone numbers and addresses that would otherwise
read as order lines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A reply header opens the quoted history; everything after it is older mail.
_REPLY_HEADERS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\s*le .{4,120}a [ée]crit\s*:?\s*$",
        r"^\s*on .{4,160}wrote\s*:?\s*$",
        r"^\s*-{2,}\s*(original message|message d'origine|message original)\s*-{2,}\s*$",
        r"^\s*_{10,}\s*$",
    )
]
# A forwarded block is the customer's own text: kept, only its marker line is dropped.
_FORWARD_MARKER = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|message transf[ée]r[ée])\s*-{2,}"
    r"|d[ée]but du message r[ée]exp[ée]di[ée]\s*:?|begin forwarded message\s*:?)\s*$",
    re.IGNORECASE,
)
_FORWARD_HEADER = re.compile(
    r"^\s*(de|from|date|objet|subject|[àa]|to|cc|envoy[ée]|sent)\s*:", re.IGNORECASE
)
_SIGNATURE_OPENERS = re.compile(
    r"^\s*(--\s*|(bien |très |tres )?cordialement[.,!]?|bien [àa] vous[.,!]?"
    r"|sinc[èe]res salutations[.,!]?"
    r"|salutations[.,!]?|(best |kind |warm )?regards[.,!]?|best[.,!]?|sincerely[.,!]?"
    r"|merci et bonne journ[ée]e[.,!]?|bonne journ[ée]e[.,!]?|thanks[.,!]?|thank you[.,!]?"
    r"|sent from my \w+.*|envoy[ée] de mon \w+.*)\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"(confidenti|disclaimer|avertissement|ce (message|courriel|e-?mail) et (toutes )?les pi[èe]ces"
    r"|this (e-?mail|message) and any attachments|pensez [àa] l'environnement"
    r"|please consider the environment|think before you print|destinataire(s)? (pr[ée]vu|d[ée]sign)"
    r"|intended recipient)",
    re.IGNORECASE,
)


def author_lines(text: str) -> list[str]:
    """The lines the author wrote: no quoted reply, no signature, no disclaimer.

    Args:
        text: The decoded plain-text body.

    Returns:
        The kept lines, in order, right-stripped; blank lines kept as "".
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        if _is_reply_header(line, lines[index + 1 : index + 6]):
            break
        if _SIGNATURE_OPENERS.match(line) and _rest_is_short(lines[index + 1 :]):
            break
        kept.append(line)
    return _drop_forward_headers(_drop_disclaimers(kept))


def _is_reply_header(line: str, following: list[str]) -> bool:
    if any(p.match(line) for p in _REPLY_HEADERS):
        return True
    # "De : X / Envoyé : ..." (Outlook) opens a reply only when a sent/date line follows.
    if re.match(r"^\s*(de|from)\s*:\s*\S", line, re.IGNORECASE):
        return any(re.match(r"^\s*(envoy[ée]|sent)\s*:", f, re.IGNORECASE) for f in following)
    return False


def _rest_is_short(rest: list[str]) -> bool:
    # A closing formula opens the signature only when little text follows it: a
    # "Merci." in the middle of an order must not cut the lines after it.
    return sum(1 for line in rest if line.strip()) <= 12


def _drop_disclaimers(lines: list[str]) -> list[str]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    kept = [p for p in paragraphs if p and not _DISCLAIMER.search(" ".join(p))]
    out: list[str] = []
    for paragraph in kept:
        out.extend([*paragraph, ""])
    return out[:-1] if out else out


def _drop_forward_headers(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_header = False
    for line in lines:
        if _FORWARD_MARKER.match(line):
            in_header = True
            continue
        if in_header and (_FORWARD_HEADER.match(line) or not line.strip()):
            if not line.strip():
                in_header = False
            continue
        in_header = False
        out.append(line)
    return out


class _TextFromHtml(HTMLParser):
    _BLOCKS = frozenset(
        ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote")
    )
    _SKIPPED = frozenset(("script", "style", "head", "title"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skip += 1
        elif tag == "blockquote":
            self._quote += 1  # quoted replies in HTML mail
        if tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag == "blockquote":
            self._quote = max(0, self._quote - 1)
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip and not self._quote:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML mail body: block elements become lines, quotes are dropped."""
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
