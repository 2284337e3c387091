"""Units of measure as paper orders write them, mapped to UN/ECE Recommendation 20."""

from __future__ import annotations

import unicodedata

# The abbreviations French and English order forms actually print, by Rec 20 code.
_REC20: dict[str, tuple[str, ...]] = {
    "C62": ("pcs", "pc", "pce", "pces", "piece", "pieces", "u", "un", "unit", "units",
            "unite", "unites", "ea", "each", "ex", "exemplaire", "c62"),
    "KGM": ("kg", "kgs", "kilo", "kilos", "kilogramme", "kilogrammes", "kgm"),
    "GRM": ("g", "gr", "gramme", "grammes", "grm"),
    "TNE": ("t", "tonne", "tonnes", "tne"),
    "LTR": ("l", "lt", "ltr", "litre", "litres", "liter", "liters"),
    "MLT": ("ml", "mlt"),
    "MTR": ("m", "metre", "metres", "meter", "meters", "mtr"),
    "MTK": ("m2", "m²", "mtk"),
    "MTQ": ("m3", "m³", "mtq"),
    "CT": ("ct", "cart", "carton", "cartons", "ctn", "case", "cases"),
    "PK": ("pk", "pack", "packs", "paquet", "paquets", "colis"),
    "BX": ("bx", "box", "boxes", "boite", "boites"),
    "PR": ("pr", "paire", "paires", "pair", "pairs"),
    "SET": ("set", "sets", "lot", "lots", "jeu", "jeux", "kit", "kits"),
    "RO": ("rouleau", "rouleaux", "roll", "rolls", "ro"),
    "BO": ("bouteille", "bouteilles", "bottle", "bottles", "bo"),
    "PF": ("palette", "palettes", "pallet", "pallets", "pal", "pf"),
    "SA": ("sac", "sacs", "bag", "bags", "sa"),
    "HUR": ("h", "heure", "heures", "hour", "hours", "hur"),
}
_LOOKUP: dict[str, str] = {abbr: code for code, abbrs in _REC20.items() for abbr in abbrs}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c) or c in "²³")


def rec20(text: str | None) -> str | None:
    """The UN/ECE Rec 20 code for a unit as written, or None when it is not one.

    Args:
        text: ``"pcs"``, ``"u."``, ``"Unité"``, ``"kg"``, ``"carton"``, ``"CT"``...

    Returns:
        ``"C62"``, ``"KGM"``, ``"CT"``...; ``None`` for text that names no unit.
    """
    if not text:
        return None
    plain = _plain(text)
    if plain in _LOOKUP:
        return _LOOKUP[plain]
    return _LOOKUP.get(plain.rstrip(".").strip())
