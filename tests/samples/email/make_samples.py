"""Writes the golden e-mail corpus of this folder (run once; the .eml files are committed).

Every message is built the way a mail client writes it, with fixed MIME boundaries so
that the bytes (and their sha256) are the same at every run. Attachments are the
sample documents of the other channels' folders. Expected outputs (.json beside each
.eml) are written by the golden test with ``O2C_WRITE_GOLDEN=1`` and reviewed by hand.

    .venv/bin/python tests/samples/email/make_samples.py
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).parent
SAMPLES = HERE.parent
DATE = "Tue, 17 Nov 2026 08:41:07 +0100"


def base(subject: str, sender: str, message_id: str, **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "Commandes Distrinord <commandes@distrinord.example>"
    mail["Subject"] = subject
    mail["Date"] = DATE
    mail["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    return mail


def fix_boundaries(mail: EmailMessage, name: str) -> EmailMessage:
    for number, part in enumerate(mail.walk()):
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            part.set_boundary(f"=_o2c_{name}_{number}")
    return mail


BODY_FR = """Bonjour,

Veuillez trouver ci-dessous notre bon de commande n° BC-2026-0418 :

- 10 cartons réf. AB-123 (gants nitrile taille M)
- Réf CD-456 x 4 à 18,90 € HT
- 2 x EAN 3012345678902 à 12,50 € HT
- 25 kg de GR-77 à 3,10 €/kg

Livraison souhaitée le jeudi 3 décembre, quai B.
Merci de confirmer le délai.

Cordialement,
Claire Martin
Service achats - Boulangeries Martin SAS
Tél. 04 78 00 00 00

Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention
exclusive de ses destinataires.

Le 10/11/2026 à 09:12, Distrinord a écrit :
> Bonjour, voici nos nouveaux tarifs.
> 50 x AB-999 à 1,00 €
"""

BODY_CP1252 = """Bonjour Sébastien,

Commande n° 7781-B pour notre dépôt de Créteil :

Réf. XB-455 | Palettes bois | 3 | 210,00
Réf. XB-460 | Film étirable | 12 | 18,50

Pour le 15/12 au plus tard.

Bien à vous,
Hélène Roux

De : Sébastien Morel
Envoyé : lundi 16 novembre 2026 17:02
À : Hélène Roux
Objet : Tarifs 2027

Voici les tarifs 2027. 40 x XB-999
"""

HTML_EN = """<html><body>
<p>Hello,</p>
<p>Please find our order below.</p>
<p>Purchase order #PO-88120</p>
<table>
<tr><td>4 x SKU-1001</td><td>at 10.00 EUR</td></tr>
<tr><td>12 units of item SKU-2040</td><td>at 2.35 EUR each</td></tr>
</table>
<p>Total: 68.20 EUR</p>
<p>Needed by December 3rd.</p>
<p>Best regards,<br>Tom Baker<br>Brightwell Catering Ltd</p>
</body></html>
"""


def body_fr() -> EmailMessage:
    mail = base("Commande BC-2026-0418", "Claire Martin <c.martin@boulangeries-martin.fr>",
                "20261117084107.4711@boulangeries-martin.fr")
    mail.set_content(BODY_FR, charset="utf-8", cte="quoted-printable")
    return mail


def body_cp1252() -> EmailMessage:
    mail = base("=?windows-1252?q?Commande_d=E9p=F4t_Cr=E9teil?=",
                "=?windows-1252?q?H=E9l=E8ne_Roux?= <h.roux@roux-logistique.fr>",
                "AM6PR01MB1234.eurprd01.prod.outlook.com")
    mail.set_content(BODY_CP1252, charset="windows-1252", cte="8bit")
    return mail


def html_en() -> EmailMessage:
    mail = base("Order PO-88120", "Tom Baker <tom.baker@brightwell.co.uk>", "CAF=x1@mail.gmail.com")
    mail.set_content(HTML_EN, subtype="html", charset="utf-8", cte="base64")
    return fix_boundaries(mail, "html_en")


def forwarded() -> EmailMessage:
    inner = body_fr()
    mail = base("TR: Commande BC-2026-0418", "Paul Commercial <p.commercial@distrinord.example>",
                "fwd-0418@distrinord.example")
    mail.set_content("Pour saisie, merci.\n\nPaul\n")
    mail.add_attachment(inner)
    return fix_boundaries(mail, "forwarded")


def with_attachment(
    name: str, subject: str, cover: str, data: bytes, maintype: str, subtype: str, filename: str
) -> EmailMessage:
    mail = base(subject, "Achats Brightwell <purchasing@brightwell.co.uk>", f"{name}@brightwell.co.uk")
    mail.set_content(cover)
    mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return fix_boundaries(mail, name)


def newsletter() -> EmailMessage:
    mail = base("Nos nouveautés de décembre", "Emballages Pro <news@emballages-pro.fr>",
                "news-2026-12@emballages-pro.fr",
                List_Unsubscribe="<mailto:unsubscribe@emballages-pro.fr>", Precedence="bulk")
    mail.set_content("Découvrez nos nouveautés : 10 cartons réf. NEW-2027 offerts !\n"
                     "Pour vous désinscrire, cliquez ici.\n")
    mail.add_alternative("<p>Découvrez nos nouveautés</p>", subtype="html")
    return fix_boundaries(mail, "newsletter")


def out_of_office() -> EmailMessage:
    mail = base("Réponse automatique : Commande BC-2026-0418",
                "Claire Martin <c.martin@boulangeries-martin.fr>", "ooo-1@boulangeries-martin.fr",
                Auto_Submitted="auto-replied")
    mail.set_content("Je suis absente jusqu'au 30/11. Pour toute urgence : achats@...\n")
    return mail


def complaint() -> EmailMessage:
    mail = base("Réclamation livraison BL 55120", "Hélène Roux <h.roux@roux-logistique.fr>",
                "compl-55120@roux-logistique.fr")
    mail.set_content("Bonjour,\n\nSur notre commande n° 7781-B, 3 palettes réf. XB-455 sont "
                     "arrivées cassées.\nMerci de nous indiquer la procédure de retour.\n")
    return mail


def price_request() -> EmailMessage:
    mail = base("Demande de prix", "Tom Baker <tom.baker@brightwell.co.uk>", "quote-1@brightwell.co.uk")
    mail.set_content("Hello,\n\nCould you send us a quotation for 200 x SKU-1001 and 50 x SKU-2040?\n"
                     "\nThanks,\nTom\n")
    return mail


def main() -> None:
    pdf = (SAMPLES / "pdf" / "fr_classic.pdf").read_bytes()
    csv = (SAMPLES / "sheets" / "fr_semicolon_cp1252.csv").read_bytes()
    xlsx = (SAMPLES / "sheets" / "xlsx_real_dates.xlsx").read_bytes()
    edi = (SAMPLES / "edifact" / "full_mapping_group.edi").read_bytes()
    messages = {
        "body_fr_quoted_signature": body_fr(),
        "body_cp1252_outlook_reply": body_cp1252(),
        "body_en_html_base64": html_en(),
        "forwarded_rfc822": forwarded(),
        "attachment_pdf": with_attachment(
            "attachment_pdf", "Bon de commande CMD-2026-73380",
            "Bonjour,\nci-joint notre bon de commande CMD-2026-73380.\nCordialement\n",
            pdf, "application", "pdf", "BC CMD-2026-73380.pdf"),
        "attachment_csv_rfc2231_name": with_attachment(
            "attachment_csv", "Commande", "Bonjour, voici la commande du dépôt.\n",
            csv, "text", "csv", "commande dépôt été.csv"),
        "attachment_xlsx": with_attachment(
            "attachment_xlsx", "Order sheet", "Hi, our order sheet is attached.\n",
            xlsx, "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "order.xlsx"),
        "attachment_edifact_octet_stream": with_attachment(
            "attachment_edi", "ORDERS", "EDI by mail\n", edi, "application", "octet-stream",
            "ORDERS.dat"),
        "no_order_newsletter": newsletter(),
        "no_order_out_of_office": out_of_office(),
        "no_order_complaint": complaint(),
        "no_order_price_request": price_request(),
    }
    for name, mail in messages.items():
        (HERE / f"{name}.eml").write_bytes(bytes(mail))


if __name__ == "__main__":
    main()
