"""Building test messages the way mail clients write them."""

from __future__ import annotations

from email.message import EmailMessage

from connectors.base import RawDocument

DATE = "Fri, 20 Nov 2026 09:12:00 +0100"


def message(
    body: str | None,
    *,
    subject: str = "Commande",
    sender: str = "Jean Dupont <j.dupont@dupont-sarl.fr>",
    charset: str = "utf-8",
    cte: str = "quoted-printable",
    message_id: str = "<m1@dupont-sarl.fr>",
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain-text message from a customer to the order desk."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "commandes@example.test"
    mail["Subject"] = subject
    mail["Date"] = DATE
    mail["Message-ID"] = message_id
    for name, value in (extra_headers or {}).items():
        mail[name] = value
    if body is not None:
        mail.set_content(body, charset=charset, cte=cte)
    return mail


def raw(mail: EmailMessage | bytes, name: str = "mail.eml") -> RawDocument:
    """The message as the hub receives it."""
    content = mail if isinstance(mail, bytes) else bytes(mail)
    return RawDocument(content=content, name=name, channel="email")
