"""Held-out order lines: phrasings written after the reader was finished, never tuned on.

The benchmark reports the reader's accuracy on these apart from the generated corpus,
as a truer picture of mail written by people. Each entry: the line as typed, then the
(item code, quantity, unit price) it means; None when the line holds no order line.
"""

from __future__ import annotations

HELD_OUT: tuple[tuple[str, tuple[str, str, str | None] | None], ...] = (
    ("Merci de nous envoyer 6 cartons de la réf. TR-5521", ("TR-5521", "6", None)),
    ("TR-5521 : 6 cartons", ("TR-5521", "6", None)),
    ("6 x TR-5521 à 14,90€", ("TR-5521", "6", "14.90")),
    ("Qté 12 - réf BX-220 - 3,50 € HT", ("BX-220", "12", "3.50")),
    ("réf. BX-220 quantité : 12 au prix de 3,50 €", ("BX-220", "12", "3.50")),
    ("- 2 palettes réf PAL-800 (prix convenu)", ("PAL-800", "2", None)),
    ("Article 100234 x 5", ("100234", "5", None)),
    ("5 pcs art. 100234", ("100234", "5", None)),
    ("EAN 3760123456784 : 24 unités", ("3760123456784", "24", None)),
    ("24 x 3760123456784", ("3760123456784", "24", None)),
    ("2,5 kg de safran réf. SAF-01 à 1 250,00 €/kg", ("SAF-01", "2.5", "1250.00")),
    ("10 boîtes GA-NIT-M", ("GA-NIT-M", "10", None)),
    ("Réf : GA-NIT-M / Qté : 10", ("GA-NIT-M", "10", None)),
    ("GA-NIT-M (gants nitrile M) : 10 boîtes à 7,20 € HT la boîte", ("GA-NIT-M", "10", "7.20")),
    ("We need 40 units of SKU 88-1020", ("88-1020", "40", None)),
    ("Item # 88-1020, qty 40, $2.15 each", ("88-1020", "40", "2.15")),
    ("40 ea. 88-1020 @ USD 2.15", ("88-1020", "40", "2.15")),
    ("Part no. ZX9000 - 3 pcs - 1,099.00 EUR", ("ZX9000", "3", "1099.00")),
    ("3 x ZX9000", ("ZX9000", "3", None)),
    ("ref XK-41 quantité 1", ("XK-41", "1", None)),
    ("1 carton XK-41 svp", ("XK-41", "1", None)),
    ("Réf.XK-41 x1", ("XK-41", "1", None)),
    ("Pour la réf. MP-330, il nous en faut 15", ("MP-330", "15", None)),
    ("15 MP-330", ("MP-330", "15", None)),
    ("Nous sommes ouverts de 8h à 17h", None),
    ("Adresse : 4 avenue Foch, 75016 Paris", None),
    ("Tél : +33 (0)4 72 00 11 22", None),
    ("Code client : C-00452", None),
    ("Merci et bonne journée à vous", None),
    ("Livraison par transporteur habituel", None),
)
