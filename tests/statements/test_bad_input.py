"""Every kind of bad statement gets its typed reason, with the line or XPath."""

from __future__ import annotations

import io
import random

import pytest

from hub.errors import BadDocument
from matching.statements import detect, parse, stream
from tests.conftest import SAMPLES
from tests.statements.builders import camt053, cfonb_record, mt940

STMT = "/Document/BkToCstmrStmt/Stmt[1]"


def _refusal(content: bytes, name: str = "bad") -> BadDocument:
    with pytest.raises(BadDocument) as caught:
        parse(content, name)
    return caught.value


def test_truncated_camt() -> None:
    content = camt053(["150.00", "-20.50"])
    error = _refusal(content[: len(content) // 2], "cut.xml")
    assert error.code == "TRUNCATED"
    assert str(error).startswith("cut.xml: line 2: file ends before the document does")


def test_truncated_mt940() -> None:
    content = mt940([("240102", "150.00", "R1")])
    cut = content[: content.index(b":62F:")]
    error = _refusal(cut, "cut.sta")
    assert (error.code, error.location) == ("TRUNCATED", "line 2")
    assert "has no closing balance" in error.reason


def test_truncated_cfonb() -> None:
    records = [cfonb_record("01", "100.00"), cfonb_record("04", "25.10", label="VIR")]
    error = _refusal("\n".join(records).encode(), "cut.cfo")
    assert (error.code, error.location) == ("TRUNCATED", "line 1")


def test_truncated_bai2() -> None:
    content = (SAMPLES / "bai2" / "moj_svb_us_example.bai2").read_bytes()
    error = _refusal(content[: content.index(b"98,")], "cut.bai2")
    assert (error.code, error.location) == ("TRUNCATED", "line 9")
    assert error.reason == "file ends without its trailer record 99"


def test_wrong_balances_name_the_statement() -> None:
    error = _refusal(camt053(["150.00"], closing="1200.00"), "s.xml")
    assert (error.code, error.location) == ("BAD_BALANCE", STMT)
    assert error.reason == (
        "statement S1 of account FR7630006000011234567890189 does not balance: opening"
        " 1000.00 + movements 150.00 = 1150.00, but closing balance is 1200.00"
    )


def test_wrong_cfonb_balance() -> None:
    records = [cfonb_record("01", "100.00"), cfonb_record("04", "25.10", label="VIR"),
               cfonb_record("07", "125.00")]
    error = _refusal("\n".join(records).encode())
    assert (error.code, error.location) == ("BAD_BALANCE", "line 1")


def test_unknown_currency() -> None:
    error = _refusal(mt940([("240102", "150.00", "R1")], currency="XYZ"))
    assert (error.code, error.location) == ("UNKNOWN_CURRENCY", "line 6")
    assert error.reason == "unknown currency 'XYZ'"


def test_mixed_currency() -> None:
    error = _refusal(camt053(["150.00"], closing_currency="USD"))
    assert (error.code, error.location) == ("MIXED_CURRENCY", STMT)
    assert "mixes currencies EUR, USD" in error.reason


def test_entry_in_another_currency() -> None:
    entry = ("<Amt Ccy=\"CHF\">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
             "<BookgDt><Dt>2024-05-15</Dt></BookgDt>")
    error = _refusal(camt053(["150.00", entry], closing="1155.00"))
    assert error.code == "MIXED_CURRENCY"


@pytest.mark.parametrize(("currency", "amount"), [("EUR", "10.125"), ("JPY", "100.5"),
                                                  ("KWD", "1.0005")])
def test_wrong_decimals(currency: str, amount: str) -> None:
    error = _refusal(camt053([amount], currency=currency, opening="0", closing=amount))
    assert (error.code, error.location) == ("BAD_DECIMALS", f"{STMT}/Ntry[1]")
    assert error.reason.startswith(f"amount {amount} has more decimals than {currency} allows")


def test_trailing_zeros_are_not_wrong_decimals() -> None:
    (statement,) = parse(camt053(["10.120"], opening="0", closing="10.12"), "ok")
    assert statement.closing_balance == statement.transactions[0].amount


def test_cfonb_line_of_wrong_length() -> None:
    records = [cfonb_record("01", "100.00"), cfonb_record("04", "25.10")[:-3],
               cfonb_record("07", "125.10")]
    error = _refusal("\n".join(records).encode(), "short.cfo")
    assert str(error) == (
        "short.cfo: line 2: record of 117 characters, CFONB 120 records have 120"
    )
    assert error.code == "BAD_RECORD_LENGTH"


_OPEN, _MOVE, _CLOSE = (cfonb_record("01", "100.00"), cfonb_record("04", "25.10"),
                        cfonb_record("07", "125.10"))
_NOTE = cfonb_record("05", "0", qualifier="LIB", text="FACTURE 1")


@pytest.mark.parametrize(("records", "code", "where", "reason"), [
    ([_MOVE, _CLOSE], "BAD_RECORD", "line 1", "record 04 outside a statement"),
    ([_OPEN, _NOTE, _MOVE, _CLOSE], "BAD_RECORD", "line 2", "complement record 05 without"),
    ([_OPEN, _MOVE, "03" + _MOVE[2:], _CLOSE], "BAD_RECORD", "line 3",
     "unknown record code '03'"),
    (["03" + _MOVE[2:], _OPEN, _CLOSE], "BAD_RECORD", "line 1", "record 03 outside"),
    ([_OPEN, _MOVE, _OPEN, _CLOSE], "TRUNCATED", "line 3", "new statement (01) before"),
    ([_OPEN, _MOVE, _NOTE], "TRUNCATED", "line 1", "file ends inside the statement"),
])
def test_cfonb_records_out_of_place(
    records: list[str], code: str, where: str, reason: str
) -> None:
    with pytest.raises(BadDocument) as caught:
        list(stream(io.BytesIO("\r\n".join(records).encode()), "cfonb120", "order.cfo"))
    error = caught.value
    assert (error.code, error.location) == (code, where)
    assert error.reason.startswith(reason)


def test_cfonb_without_line_breaks_of_wrong_length() -> None:
    records = [cfonb_record("01", "100.00"), cfonb_record("07", "100.00")]
    error = _refusal(("".join(records) + "0730003").encode())
    assert (error.code, error.location) == ("BAD_RECORD_LENGTH", "record 3")


def test_mt940_field_out_of_order() -> None:
    content = mt940([("240102", "150.00", "R1")])
    moved = content.replace(b":61:", b":62F:C240102EUR1000,00\r\n:61:", 1)
    error = _refusal(moved, "order.sta")
    assert str(error) == (
        "order.sta: line 7: field :61: out of order (after a field that must follow it)"
    )
    assert error.code == "FIELD_OUT_OF_ORDER"


def test_mt940_balance_before_account() -> None:
    lines = mt940([("240102", "150.00", "R1")]).split(b"\r\n")
    account = lines.pop(2)  # :25: moved after the opening balance
    lines.insert(4, account)
    error = _refusal(b"\r\n".join(lines))
    assert (error.code, error.location) == ("FIELD_OUT_OF_ORDER", "line 4")
    assert error.reason == "field :60F: before the account field :25:"


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&lol2;</x></Document>
"""


def test_xml_bomb_is_refused() -> None:
    error = _refusal(BOMB, "bomb.xml")
    assert (error.code, error.location) == ("HOSTILE_XML", "prolog")
    assert "entity" in error.reason


def test_invalid_date() -> None:
    content = camt053(["150.00"]).replace(b"<c:Dt>2024-05-15</c:Dt></c:BookgDt>",
                                          b"<c:Dt>2024-02-30</c:Dt></c:BookgDt>")
    error = _refusal(content)
    assert (error.code, error.location) == ("BAD_DATE", f"{STMT}/Ntry[1]/BookgDt")


def test_not_a_statement() -> None:
    error = _refusal(b"hello, world", "note.txt")
    assert (error.code, str(error)) == (
        "UNKNOWN_FORMAT",
        "note.txt: not a bank statement o2c reads (CAMT.053/054, MT940/942, CFONB 120, BAI2)",
    )


def test_xml_bomb_is_refused_when_streamed_directly() -> None:
    with pytest.raises(BadDocument) as caught:
        list(stream(io.BytesIO(BOMB), "camt.053", "bomb.xml"))
    assert (caught.value.code, caught.value.source) == ("HOSTILE_XML", "bomb.xml")


def test_cfonb_decimals_field_must_match_the_currency() -> None:
    records = [cfonb_record("01", "100.00"), cfonb_record("04", "25.10"),
               cfonb_record("07", "125.10")]
    records[1] = records[1][:19] + "3" + records[1][20:]
    error = _refusal("\n".join(records).encode(), "dec.cfo")
    assert (error.code, error.location) == ("BAD_DECIMALS", "line 2")
    assert error.reason == "amount written with 3 decimals, EUR has 2"


def test_mt940_message_without_account() -> None:
    content = b":20:REF1\r\n:28C:1/1\r\n:20:REF2\r\n:25:X\r\n"
    with pytest.raises(BadDocument) as caught:
        parse(content, "noacct.sta", fmt="mt940")
    assert (caught.value.code, caught.value.location) == ("MISSING_FIELD", "line 1")


def test_damaged_samples_fail_only_with_a_reason() -> None:
    """Seeded random damage to every sample: a BadDocument or a parse, never a crash."""
    from tests.statements.helpers import local_samples

    rng = random.Random(20240515)
    samples = [(p, p.read_bytes()) for p in local_samples()]
    refusals: list[tuple[str, BadDocument]] = []
    for _round in range(400):
        path, original = rng.choice(samples)
        raw = bytearray(original)
        for _cut in range(rng.randint(1, 4)):
            at = rng.randrange(len(raw))
            if rng.random() < 0.5:
                raw[at] = rng.choice(b"0123456789ABCXYZ/:?,.-{}<>\n ")
            else:
                del raw[at:at + rng.randint(1, 30)]
        try:
            parse(bytes(raw), path.name, fmt=detect(original))
        except BadDocument as error:
            refusals.append((path.name, error))
    assert refusals
    for name, error in refusals:
        assert str(error).startswith(f"{name}: ")
        assert error.code


@pytest.mark.parametrize("later", [b":61:2401030103CX", b":62F:C2401EUR"])
def test_mt940_problems_are_reported_in_file_order(later: bytes) -> None:
    # The entry's currency is refused before the malformed field after it is read.
    content = mt940([("240102", "150.00", "R1")], currency="DEM")
    cut = content.index(b":62F:")
    bad = content[:cut] + later + b"\r\n" + content[cut:]
    if later.startswith(b":62F:"):
        bad = content[:cut] + later + content[content.index(b"\r\n", cut):]
    error = _refusal(bad, "order.sta")
    assert (error.code, error.location) == ("UNKNOWN_CURRENCY", "line 6")
