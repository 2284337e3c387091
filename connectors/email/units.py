"""Units as people write them in mails, mapped to UN/ECE Recommendation 20 codes."""

from __future__ import annotations

import re
import unicodedata

#: Written unit (lower case, accents kept) -> UN/ECE Rec 20 code.
REC20: dict[str, str] = {
    # cartons, boxes, packs
    **dict.fromkeys(
        ("carton", "cartons", "ctn", "ctns", "crt", "ct", "cts", "case", "cases"), "CT"
    ),
    **dict.fromkeys(("boîte", "boîtes", "boite", "boites", "box", "boxes", "bte", "btes"), "BX"),
    **dict.fromkeys(("colis", "pack", "packs", "paquet", "paquets", "pqt", "pk"), "PK"),
    **dict.fromkeys(("palette", "palettes", "pallet", "pallets", "pal"), "PF"),
    **dict.fromkeys(("sac", "sacs", "bag", "bags"), "BG"),
    **dict.fromkeys(("rouleau", "rouleaux", "roll", "rolls"), "RO"),
    **dict.fromkeys(("lot", "lots", "set", "sets", "kit", "kits"), "SET"),
    **dict.fromkeys(("douzaine", "douzaines", "dozen", "dozens", "dz"), "DZN"),
    # pieces
    **dict.fromkeys(
        (
            "pièce", "pièces", "piece", "pieces", "pcs", "pc", "pce", "pces", "pcs.",
            "unité", "unités", "unite", "unites", "u", "u.", "unit", "units",
            "ea", "each", "exemplaire", "exemplaires", "ex",
        ),
        "C62",
    ),
    # weights, volumes, lengths
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogramme", "kilogrammes"), "KGM"),
    **dict.fromkeys(("g", "gr", "gramme", "grammes", "grams"), "GRM"),
    **dict.fromkeys(("tonne", "tonnes", "ton", "tons"), "TNE"),
    **dict.fromkeys(("l", "litre", "litres", "liter", "liters", "lt", "ltr"), "LTR"),
    **dict.fromkeys(("cl", "centilitre", "centilitres"), "CLT"),
    **dict.fromkeys(("ml", "millilitre", "millilitres"), "MLT"),
    **dict.fromkeys(("m", "mètre", "mètres", "metre", "metres", "meter", "meters"), "MTR"),
    **dict.fromkeys(("m2", "m²", "mètre carré", "mètres carrés"), "MTK"),
    **dict.fromkeys(("m3", "m³"), "MTQ"),
}

# Longest first so that "m2" wins over "m" and "cartons" over "ct".
_ALTERNATION = "|".join(re.escape(u) for u in sorted(REC20, key=len, reverse=True))
UNIT_PATTERN = rf"(?:{_ALTERNATION})(?![\w²³'’-])"


def to_rec20(written: str | None) -> str | None:
    """The Rec 20 code of a written unit, or None when it is not one we know.

    Args:
        written: ``"cartons"``, ``"Pcs"``, ``"kg"``...
    """
    if not written:
        return None
    key = unicodedata.normalize("NFC", written.strip().lower())
    return REC20.get(key) or REC20.get(key.rstrip("."))
