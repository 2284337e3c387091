"""Format details that the real samples do not all show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from matching.statements import detect, parse
from matching.statements.cfonb import amount
from matching.statements.common import find_creditor_reference, is_creditor_reference
from matching.statements.mt940_details import parse_details
from tests.conftest import SAMPLES
from tests.statements.builders import camt053, cfonb_record, mt940


@pytest.mark.parametrize(("text", "decimals", "value"), [
    ("0000000000012{", "2", "1.20"), ("0000000000012A", "2", "1.21"),
    ("0000000000012I", "2", "1.29"), ("0000000000012}", "2", "-1.20"),
    ("0000000000012J", "2", "-1.21"), ("0000000000012R", "0", "-129"),
    ("0000000000012B", "3", "0.122"),
])
def test_cfonb_amount_sign_in_last_character(text: str, decimals: str, value: str) -> None:
    assert amount(text, decimals, "line 1") == Decimal(value)


def test_cfonb_with_and_without_line_breaks_read_alike() -> None:
    lines = (SAMPLES / "cfonb120" / "silarhi_complex-test.txt").read_bytes().splitlines()
    with_breaks = parse(b"\r\n".join(lines), "crlf")
    without = parse(b"".join(lines), "flat")
    assert [s.closing_balance for s in with_breaks] == [s.closing_balance for s in without]
    assert [t.amount for s in without for t in s.transactions] == [
        t.amount for s in with_breaks for t in s.transactions]
    assert without[0].transactions[0].location == "record 2"


LIB_70 = "REGLEMENT F2024-0017 ET F2024-0018 ACOMPTES LOT2 DU 15/05/2024 F2024-0"


def test_cfonb_complements_joined_to_their_movement() -> None:
    assert len(LIB_70) == 70
    records = [
        cfonb_record("01", "100.00", day="140524"),
        cfonb_record("04", "25.10", label="VIR SEPA ACME", entry="0000042"),
        cfonb_record("05", "0", qualifier="NPY", text="ACME SARL"),
        cfonb_record("05", "0", qualifier="LIB", text=LIB_70),
        cfonb_record("05", "0", qualifier="LIB", text="019"),
        cfonb_record("05", "0", qualifier="RCN", text="RF18539007547034"),
        cfonb_record("07", "125.10"),
    ]
    (statement,) = parse("\n".join(records).encode(), "x.cfo")
    (tx,) = statement.transactions
    assert tx.bank_reference == "0000042"
    assert tx.payer_name == "ACME SARL"
    assert tx.remittance is not None
    assert tx.remittance.endswith("F2024-0019")  # cut at 70 characters, joined back
    assert tx.structured_reference == "RF18539007547034"
    assert statement.account == "FR7630003005010001234567888"


def test_mt940_free_text_hard_wrapped_at_65_is_joined() -> None:
    first = "Betaling factuur 2024-00017 en 2024-00018 klantnummer 889 en 2024"  # 65
    details = parse_details([first[4:], "-00019 dank u"])
    assert details.remittance == f"{first[4:]}-00019 dank u"


def test_mt940_german_subfields_cut_at_27_are_joined() -> None:
    details = parse_details([
        "166?00GUTSCHRIFT SEPA?109251?20EREF+E2E-77?21SVWZ+Rechnung RE-2024-0001",
        "2 und RE-2?22024-000124 und RF1853900754?237034?30DEUTDEFFXXX?31DE8937040044053",
        "2013000?32ACME Handels GmbH und Co. K?33G Hamburg",
    ])
    assert details.end_to_end_id == "E2E-77"
    assert details.remittance == (
        "Rechnung RE-2024-00012 und RE-2024-000124 und RF18539007547034"
    )
    assert details.structured_reference == "RF18539007547034"
    assert details.payer_name == "ACME Handels GmbH und Co. KG Hamburg"
    assert details.payer_iban == "DE89370400440532013000"
    assert details.payer_bic == "DEUTDEFFXXX"
    assert details.bank_code == "166"


def test_mt940_french_qualifiers() -> None:
    details = parse_details(["/LIB/VIR SEPA FACTURE F2024-0042/NPY/DUPONT SA/RCN/CMD 77/"])
    assert details.payer_name == "DUPONT SA"
    assert details.remittance == "VIR SEPA FACTURE F2024-0042"
    assert "reference CMD 77" in details.texts


def test_mt940_reversal_of_credit_is_a_debit() -> None:
    content = mt940([("240102", "10.00", "R1")], closing="1000.00").replace(
        b"C10,00NTRF", b"RC10,00NTRF").replace(b":62F:C240102EUR1000,00",
                                                 b":62F:C240102EUR990,00")
    (statement,) = parse(content, "rc.sta")
    assert statement.transactions[0].amount == Decimal("-10.00")
    assert statement.transactions[0].reversal


def test_creditor_reference_check_digits() -> None:
    assert is_creditor_reference("RF18 5390 0754 7034")
    assert not is_creditor_reference("RF19539007547034")
    assert find_creditor_reference("payment rf18 5390 0754 7034 thanks") == "RF18539007547034"


BATCH = (
    "<Amt Ccy=\"EUR\">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-05-15</Dt>"
    "</BookgDt><AcctSvcrRef>BATCH-1</AcctSvcrRef><NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>"
    "<TxDtls><Refs><EndToEndId>E1</EndToEndId></Refs><Amt Ccy=\"EUR\">100.00</Amt>"
    "<CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>ACME SARL</Nm></Pty></Dbtr>"
    "<DbtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></DbtrAcct></RltdPties>"
    "<RltdAgts><DbtrAgt><FinInstnId><BICFI>AGRIFRPP</BICFI></FinInstnId></DbtrAgt></RltdAgts>"
    "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
    "<Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>"
    "<TxDtls><Refs><EndToEndId>E2</EndToEndId></Refs><Amt Ccy=\"EUR\">200.00</Amt>"
    "<CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>BETA SA</Nm></Pty></Dbtr>"
    "</RltdPties><RmtInf><Ustrd>FACTURE F2024-0042</Ustrd></RmtInf></TxDtls></NtryDtls>"
)


def test_camt_batch_gives_one_transaction_per_detail() -> None:
    (statement,) = parse(camt053([BATCH], closing="1300.00"), "batch.xml")
    first, second = statement.transactions
    assert (first.amount, first.payer_name, first.payer_iban, first.payer_bic) == (
        Decimal("100.00"), "ACME SARL", "FR7630006000011234567890189", "AGRIFRPP")
    assert first.structured_reference == "RF18539007547034"
    assert (second.amount, second.payer_name, second.remittance) == (
        Decimal("200.00"), "BETA SA", "FACTURE F2024-0042")
    assert {first.bank_reference, second.bank_reference} == {"BATCH-1"}
    assert second.location == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[2]"


def test_camt_batch_whose_details_do_not_add_up_stays_one_entry() -> None:
    body = BATCH.replace("300.00", "299.50")
    (statement,) = parse(camt053([body], closing="1299.50"), "batch.xml")
    (entry,) = statement.transactions
    assert entry.amount == Decimal("299.50")
    assert entry.remittance == "FACTURE F2024-0042"


def test_camt_charges_and_version_02_amounts() -> None:
    body = (
        "<Amt Ccy=\"EUR\">98.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-05-15</Dt>"
        "</BookgDt><NtryRef>N-7</NtryRef><Chrgs><Amt Ccy=\"EUR\">1.50</Amt></Chrgs>"
        "<NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy=\"EUR\">98.50</Amt></TxAmt></AmtDtls>"
        "<RltdPties><Dbtr><Nm>GAMMA</Nm></Dbtr></RltdPties>"
        "<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls></NtryDtls>"
    )
    (statement,) = parse(camt053([body], version="02", prefix="", closing="1098.50"), "v2")
    (tx,) = statement.transactions
    assert (tx.bank_reference, tx.charges, tx.payer_name, tx.return_reason) == (
        "N-7", Decimal("1.50"), "GAMMA", "AC04")


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08"])
def test_camt_versions_and_prefixes(version: str) -> None:
    for prefix in ("", "c", "camt"):
        content = camt053(["150.00", "-20.50"], version=version, prefix=prefix)
        assert detect(content) == "camt.053"
        (statement,) = parse(content, "v")
        assert [t.amount for t in statement.transactions] == [Decimal("150.00"),
                                                              Decimal("-20.50")]


def test_bai2_several_records_per_line_and_text_continuations() -> None:
    statements = parse((SAMPLES / "bai2" / "moov_sample3.txt").read_bytes(), "s3")
    texts = [t.remittance for s in statements for t in s.transactions]
    assert "TRANSFER PAYPAL PPD" in texts
    (svb, _second) = parse((SAMPLES / "bai2" / "moj_svb_us_example.bai2").read_bytes(), "svb")
    (tx,) = svb.transactions
    assert (tx.amount, tx.bank_reference, tx.remittance) == (
        Decimal("4901.96"), "172629", "SOME PAYMENT ACH OFFSET")
    assert svb.opening_balance + tx.amount == svb.closing_balance  # type: ignore[operator]


@pytest.mark.parametrize("content", [
    b"", b"hello", b"<?xml version='1.0'?><Order xmlns='urn:oasis:names:specification:ubl:"
    b"schema:xsd:Order-2'/>", b"UNA:+.? 'UNB+UNOC:3+X+Y+240101:1200+1'",
    b"10,4006381333931,5,12/05/2024/\n01,4006381333932,2,13/05/2024\n",
])
def test_other_documents_are_not_statements(content: bytes) -> None:
    assert detect(content) is None


def test_camt_batch_with_charges_deducted_keeps_the_statement_balanced() -> None:
    body = BATCH.replace("<Amt Ccy=\"EUR\">300.00</Amt>", "<Amt Ccy=\"EUR\">298.50</Amt>", 1)
    body = body.replace("<NtryDtls>", "<Chrgs><TtlChrgsAndTaxAmt Ccy=\"EUR\">1.50"
                        "</TtlChrgsAndTaxAmt></Chrgs><NtryDtls>")
    (statement,) = parse(camt053([body], closing="1298.50"), "charges.xml")
    amounts = [(t.amount, t.bank_code) for t in statement.transactions]
    assert amounts == [(Decimal("100.00"), None), (Decimal("200.00"), None),
                       (Decimal("-1.50"), "CHRG")]
    assert [t.charges for t in statement.transactions] == [None, None, Decimal("1.50")]


BAI2_FUNDS = b"""01,SENDER,RECEIVER,240515,1200,7,,,2/
02,RECEIVER,SENDER,1,240515,,JPY,2/
03,998877,JPY,010,100000,,,015,118000,,/
16,175,5000,S,1000,2000,2000,BR1,CR1,CHEQUE DEPOSIT/
16,195,20000,V,240517,,BR2,,WIRE FROM ACME K.K./
16,495,7000,D,2,1,3000,2,4000,BR3,,OUTGOING
88,WIRE TO SUPPLIER/
49,254000,5/
98,254000,1,7/
99,254000,1,9/
"""


def test_bai2_funds_types_keep_the_fields_aligned() -> None:
    (statement,) = parse(BAI2_FUNDS, "funds.bai")
    rows = [(t.amount, t.bank_reference, t.customer_reference, t.value_date, t.remittance)
            for t in statement.transactions]
    assert rows == [
        (Decimal(5000), "BR1", "CR1", None, "CHEQUE DEPOSIT"),
        (Decimal(20000), "BR2", None, date(2024, 5, 17), "WIRE FROM ACME K.K."),
        (Decimal(-7000), "BR3", None, None, "OUTGOING WIRE TO SUPPLIER"),
    ]
    assert statement.currency == "JPY"
    assert statement.closing_balance == Decimal(118000)


def test_mt942_is_an_interim_report_without_balances() -> None:
    (statement,) = parse((SAMPLES / "mt940" / "mbank_mt942.sta").read_bytes(), "942")
    assert (statement.format, statement.interim) == ("mt942", True)
    assert len(statement.transactions) == 3
