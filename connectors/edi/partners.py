"""EDI trading partners and what o2c sends them back.

A partner (``edi_partners`` master data, loaded from ``edi_partners.csv``) is keyed by
the sender id its interchanges carry (UNB sender, ISA06). It says whether the partner
wants a syntax acknowledgement on receipt (CONTRL or 997) and order responses, and the
outbox folder they are written to. Messages are queued in the hub's outbox in the same
transaction as the orders, and written to the folder by :mod:`connectors.edi.delivery`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from connectors.edi.edifact import EdifactExtractor
from connectors.edi.outbound import contrl, contrl_rejecting, x12_997
from connectors.edi.x12 import X12OrderExtractor
from hub import clock, outbox
from hub.documents import RawDocument
from hub.errors import BadDocument
from hub.tables import EdiPartnerRow

ACKNOWLEDGEMENT = "edi-acknowledgement"


@dataclass(frozen=True)
class Acknowledgement:
    """A syntax acknowledgement ready to queue."""

    payload: bytes
    extension: str
    dedupe_key: str


def partner_for(session: Session, sender: str | None) -> EdiPartnerRow | None:
    """The partner whose interchanges carry ``sender`` (blanks ignored), if known."""
    if not sender:
        return None
    return session.get(EdiPartnerRow, sender.strip())


def control_number(raw: RawDocument, digits: int = 9) -> int:
    """A control number derived from the document, so a re-run gives the same message."""
    return int(hashlib.sha256(raw.content).hexdigest()[:12], 16) % 10**digits or 1


def acknowledgement_for(raw: RawDocument) -> Acknowledgement | None:
    """The CONTRL (EDIFACT) or 997 (X12) acknowledging a received interchange.

    Every message is listed, accepted or rejected with its reason's code and segment;
    an EDIFACT interchange refused as a whole (bad UNZ, truncated) gets a CONTRL that
    rejects it, so the intake may call this on its failure path too. XML orders have no
    syntax acknowledgement: None.

    Raises:
        hub.errors.BadDocument: when not even the UNB or ISA can be read.
    """
    prepared = clock.now()
    edifact, x12 = EdifactExtractor(), X12OrderExtractor()
    if edifact.identify(raw):
        header = edifact.header(raw)
        reference = f"A{control_number(raw, 13)}"
        try:
            results = edifact.results(raw)
        except BadDocument as problem:  # the interchange itself is rejected
            payload = contrl_rejecting(header, problem, our_reference=reference,
                                       prepared=prepared)  # fmt: skip
        else:
            payload = contrl(header, results, our_reference=reference, prepared=prepared)
        return Acknowledgement(payload, "edi", f"{ACKNOWLEDGEMENT}:contrl:{raw.sha256}")
    if x12.identify(raw):
        payload = x12_997(x12.results(raw), control=control_number(raw), prepared=prepared)
        return Acknowledgement(payload, "x12", f"{ACKNOWLEDGEMENT}:997:{raw.sha256}")
    return None


def queue_acknowledgement(session: Session, raw: RawDocument, sender: str | None) -> bool:
    """Queue the acknowledgement in the outbox when the partner asked for one.

    Returns:
        Whether a message was queued (False: unknown partner, none wanted, or already).
    """
    partner = partner_for(session, sender)
    if partner is None or not partner.acknowledgement:
        return False
    acknowledgement = acknowledgement_for(raw)
    if acknowledgement is None:
        return False
    return outbox.put(
        session,
        kind=ACKNOWLEDGEMENT,
        dedupe_key=acknowledgement.dedupe_key,
        subject_id=raw.sha256[:40],
        payload=acknowledgement.payload,
        target=partner.outbox,
    )
