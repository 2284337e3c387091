"""The words order sheets use for their columns and header fields, French and English.

Labels are compared in a normalised form (:func:`label_key`): lower case, no accents,
no punctuation, ``N°``/``numéro``/``number`` written ``no``, French and English filler
words dropped, so that ``N° de commande :``, ``Numéro commande`` and ``no commande``
are one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Roles of a lines-table column.
LINE_NUMBER = "line_number"
GTIN = "gtin"
SELLER_CODE = "seller_item_code"
BUYER_CODE = "buyer_item_code"
DESCRIPTION = "description"
QUANTITY = "quantity"
UNIT = "unit"
UNIT_PRICE = "unit_price"
AMOUNT = "line_amount"
DELIVERY_DATE = "requested_delivery_date"

ITEM_ROLES = (GTIN, SELLER_CODE, BUYER_CODE, DESCRIPTION)
CODE_ROLES = (GTIN, SELLER_CODE, BUYER_CODE)

_LINE_LABELS: dict[str, tuple[str, ...]] = {
    LINE_NUMBER: ("ligne", "no ligne", "line", "line no", "no", "pos", "position"),
    GTIN: ("ean", "ean13", "code ean", "gtin", "ean gtin", "code barre", "code barres",
           "codebarre", "barcode", "upc", "ean code", "gencod", "gencode", "ean article"),
    SELLER_CODE: ("reference", "ref", "ref fournisseur", "reference fournisseur",
                  "votre reference", "votre ref", "code article", "article", "ref article",
                  "reference article", "code produit", "supplier ref", "supplier reference",
                  "supplier code", "supplier item", "supplier item code", "vendor code",
                  "vendor item", "vendor ref", "seller code", "seller item code", "item code",
                  "item", "sku", "product code", "your ref", "your reference", "part no"),
    BUYER_CODE: ("ref client", "reference client", "code article client", "notre reference",
                 "notre ref", "customer ref", "customer reference", "customer item",
                 "customer item code", "buyer code", "buyer item code", "buyer ref", "our ref",
                 "our reference", "customer part no"),
    DESCRIPTION: ("designation", "description", "libelle", "produit", "product",
                  "libelle article", "item description", "product description",
                  "designation article", "article description"),
    QUANTITY: ("quantite", "qte", "qty", "quantity", "qte commandee", "quantite commandee",
               "ordered qty", "order qty", "ordered quantity", "nb", "nombre", "qt"),
    UNIT: ("unite", "u", "uv", "unit", "uom", "unit measure", "unite mesure"),
    UNIT_PRICE: ("prix unitaire", "prix unitaire ht", "pu", "pu ht", "puht", "prix",
                 "prix ht", "prix net", "prix unitaire net", "unit price", "price",
                 "net price", "unit net price", "net unit price"),
    AMOUNT: ("montant", "montant ht", "total", "total ht", "total ligne", "montant ligne",
             "amount", "line total", "line amount", "total price", "extended price",
             "net amount", "montant net", "total net"),
    DELIVERY_DATE: ("date livraison", "livraison", "delivery date", "requested date",
                    "date souhaitee", "date livraison souhaitee", "ship date",
                    "requested delivery date", "delivery"),
}

# Header-block fields (also allowed as order-level columns of a lines table).
ORDER_NUMBER = "order_number"
ORDER_DATE = "order_date"
HEADER_DELIVERY = "delivery_date"
CUSTOMER_NAME = "customer_name"
CUSTOMER_NUMBER = "customer_number"
VAT_ID = "vat_id"
SIRET = "siret"
BUYER_GLN = "gln"
BUYER_ADDRESS = "buyer_address"
BILL_TO = "bill_to"
SHIP_TO = "ship_to"
SHIP_TO_GLN = "ship_to_gln"
CURRENCY = "currency"
INCOTERMS = "incoterms"
PAYMENT_TERMS = "payment_terms"
NOTES = "notes"
CONTACT = "contact"
EMAIL = "email"
PHONE = "phone"
SELLER = "seller"
TOTAL = "total"

ADDRESS_FIELDS = (BUYER_ADDRESS, BILL_TO, SHIP_TO)

_HEADER_LABELS: dict[str, tuple[str, ...]] = {
    ORDER_NUMBER: ("no commande", "commande", "bon commande", "no bon commande", "no bc", "bc",
                   "ref commande", "reference commande", "notre commande", "commande client",
                   "no commande client", "po", "po no", "purchase order", "purchase order no",
                   "order no", "order", "order reference", "order ref", "customer po",
                   "customer order no", "customer po no"),
    ORDER_DATE: ("date", "date commande", "order date", "po date", "date bc",
                 "date bon commande", "date emission", "issue date", "date commande client"),
    HEADER_DELIVERY: ("date livraison", "date livraison souhaitee", "livraison souhaitee",
                      "date livraison demandee", "delivery date", "requested delivery date",
                      "requested date", "date souhaitee", "ship date", "livraison",
                      "livraison le", "livrer le"),
    CUSTOMER_NAME: ("client", "nom client", "raison sociale", "societe", "customer",
                    "customer name", "buyer", "acheteur", "company", "sold to",
                    "donneur ordre"),
    CUSTOMER_NUMBER: ("no client", "code client", "ref client", "compte client",
                      "customer no", "customer id", "customer code", "account no",
                      "client id", "identifiant client", "customer account"),
    # A bare "TVA" or "VAT" labels a tax amount in footers far more often than an id.
    VAT_ID: ("no tva", "tva intracommunautaire", "no tva intracommunautaire", "tva intracom",
             "no tva intracom", "vat no", "vat id", "tva client", "identifiant tva",
             "no identification tva", "vat registration no"),
    SIRET: ("siret", "no siret", "siret client"),
    BUYER_GLN: ("gln", "gln client", "ean client", "buyer gln", "customer gln", "gln acheteur"),
    BUYER_ADDRESS: ("adresse", "address", "adresse client", "customer address"),
    BILL_TO: ("adresse facturation", "facturation", "facturer a", "bill to", "billing address",
              "invoice address", "invoice to"),
    SHIP_TO: ("adresse livraison", "lieu livraison", "livrer a", "ship to", "shipping address",
              "delivery address", "deliver to", "delivery to", "point livraison"),
    SHIP_TO_GLN: ("gln livraison", "ship to gln", "delivery gln", "gln lieu livraison",
                  "ean livraison"),
    CURRENCY: ("devise", "monnaie", "currency"),
    INCOTERMS: ("incoterm", "incoterms"),
    PAYMENT_TERMS: ("conditions paiement", "conditions reglement", "reglement", "paiement",
                    "payment terms", "terms", "payment", "terms payment"),
    NOTES: ("remarque", "remarques", "commentaire", "commentaires", "observation",
            "observations", "note", "notes", "instructions", "comment", "comments", "message"),
    CONTACT: ("contact", "interlocuteur", "contact name", "suivi par"),
    EMAIL: ("email", "e mail", "mail", "courriel", "adresse email"),
    PHONE: ("telephone", "tel", "phone", "tel contact"),
    SELLER: ("fournisseur", "supplier", "vendor", "seller"),
    TOTAL: ("total", "total ht", "montant total", "montant total ht", "total commande",
            "total amount", "order total", "net total", "total net", "total general"),
}

_STOP_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "d", "l", "the", "of", "a", "en"})
_NUMERO_WORDS = frozenset({"n", "no", "numero", "num", "number", "nr", "nbr"})


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for role, labels in table.items():
        for label in labels:
            index[label_key(label)] = role
    return index


def label_key(text: str) -> str:
    """The comparable form of a label.

    Args:
        text: A label as written: ``"N° de commande :"``, ``"P.U. HT (€)"``.

    Returns:
        ``"no commande"``, ``"pu ht"``: lower case, no accents, parenthesised parts,
        punctuation and filler words removed; runs of single letters joined.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", plain).replace("°", "o ").replace("º", "o ")
    plain = plain.replace("#", " no ")
    tokens = [t for t in re.split(r"[^a-z0-9²³]+", plain) if t and t not in _STOP_WORDS]
    tokens = ["no" if t in _NUMERO_WORDS else t for t in tokens]
    return " ".join(_join_initials(tokens))


def _join_initials(tokens: list[str]) -> list[str]:
    # "P.U. HT", "P U HT" and "E-mail" are "pu ht" and "email"; "no" stays a word.
    joined: list[str] = []
    initials = False
    for token in tokens:
        single = len(token) == 1 and token.isalpha()
        if single and joined and (initials or len(joined[-1]) == 1) and joined[-1] != "no":
            joined[-1] += token
            initials = True
        else:
            joined.append(token)
            initials = single
    return joined


_LINE_INDEX = _index(_LINE_LABELS)
_HEADER_INDEX = _index(_HEADER_LABELS)


_MAX_LABEL = 48


def _could_be_label(text: str) -> bool:
    # Data cells (numbers, long descriptions) are by far the most cells of a sheet:
    # skipping them keeps label search off the hot path.
    return (
        len(text) <= _MAX_LABEL
        and not text[:1].isdigit()
        and sum(c.isdigit() for c in text) <= 3
    )


@lru_cache(maxsize=4096)
def header_field(text: str) -> str | None:
    """The header-block field of a label, or None (a trailing ``:`` is allowed)."""
    return _HEADER_INDEX.get(label_key(text)) if _could_be_label(text) else None


@lru_cache(maxsize=4096)
def column_role(text: str) -> str | None:
    """The role of a lines-table column: a line field first, else an order-level field."""
    if not _could_be_label(text):
        return None
    key = label_key(text)
    return _LINE_INDEX.get(key) or _HEADER_INDEX.get(key)


def labels_of(role: str) -> str:
    """A few labels of a role, for error messages (``Quantité, Qté, Qty``)."""
    examples = {
        QUANTITY: "Quantité, Qté, Qty, Quantity",
        ORDER_NUMBER: "N° de commande, Bon de commande, PO number, Order no",
    }
    return examples.get(role, "Référence, EAN, Désignation, Item code, Description")


_TOTAL_WORDS = ("total", "sous total", "subtotal", "sub total", "grand total", "totaux")
_SUMMARY_WORDS = ("tva", "vat", "tax", "taxe", "taxes", "ttc", "remise", "discount", "frais",
                  "port", "shipping", "escompte", "acompte", "net a payer", "eco", "ecotaxe",
                  "eco participation", "montant", "amount", "report")


def summary_word(text: str) -> str | None:
    """``TOTAL`` for a total row (``Total TTC``, ``Sous-total``), ``"summary"`` for another
    summary row of a lines table (``TVA 20 %``, ``Frais de port``), else None."""
    if len(text) > _MAX_LABEL:
        return None
    key = label_key(text)
    if any(key == w or key.startswith(w + " ") for w in _TOTAL_WORDS):
        return TOTAL
    if any(key == w or key.startswith(w + " ") for w in _SUMMARY_WORDS):
        return "summary"
    return None


COUNTRIES: dict[str, str] = {
    "france": "FR", "belgique": "BE", "belgium": "BE", "suisse": "CH", "switzerland": "CH",
    "allemagne": "DE", "germany": "DE", "deutschland": "DE", "espagne": "ES", "spain": "ES",
    "italie": "IT", "italy": "IT", "luxembourg": "LU", "pays bas": "NL", "netherlands": "NL",
    "royaume uni": "GB", "united kingdom": "GB", "uk": "GB", "portugal": "PT",
    "autriche": "AT", "austria": "AT", "irlande": "IE", "ireland": "IE", "usa": "US",
    "united states": "US", "monaco": "MC",
}

INCOTERMS_2020 = frozenset(
    {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"}
)

CURRENCY_SIGNS: dict[str, str] = {"€": "EUR", "$": "USD", "£": "GBP"}
