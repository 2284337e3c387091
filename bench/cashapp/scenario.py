"""The scenario a benchmark run reads: master data rows, bank lines and the truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from matching.statements.model import BankTransaction, Statement

OUR_IBAN = "FR7630004000010001234567890"
OUR_OTHER_IBAN = "FR7630004000010009876543210"
START = date(2026, 10, 1)

SURNAMES = [
    "Durand", "Dubois", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Garcia", "Bernard",
    "Thomas", "Petit", "Robert", "Richard", "Roux", "Fournier", "Girard", "Bonnet", "Dupont",
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Schmidt", "Schneider", "Fischer",
    "Weber", "Becker", "Wagner", "Hoffmann", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi",
    "Romano", "Colombo", "Ricci", "Marino", "García", "Fernández", "López", "Martínez",
    "Sánchez", "Pérez", "Gómez", "Janssens", "Peeters", "Maes", "Jacobs", "Mertens", "Willems",
    "Claes", "Goossens", "Wouters", "De", "Smet", "Dumont", "Leclercq", "Chevalier", "Gauthier",
    "Perrin", "Morel", "Mathieu", "Clément", "Gaillard", "Brun", "Blanc", "Guérin", "Muller",
    "Henry", "Roussel", "Nicolas", "Faure", "André", "Mercier", "Boyer", "Barbier", "Arnaud",
    "Martinez", "Giraud", "Brunet", "Lemaire", "Renard", "Picard", "Caron",
]
TRADES = [
    "Industries", "Logistique", "Bâtiment", "Distribution", "Technologies", "Services",
    "Emballages", "Transports", "Métallurgie", "Plastiques", "Électricité", "Menuiserie",
    "Boulangerie", "Pharmacie", "Textiles", "Imprimerie", "Agroalimentaire", "Chimie",
    "Automobiles", "Matériaux", "Informatique", "Conseil", "Énergie", "Hydraulique", "Mécanique",
    "Optique", "Papeterie", "Céramique", "Verrerie", "Robotique",
]
PLACES = [
    "Lyon", "Paris", "Lille", "Nantes", "Bordeaux", "Rennes", "Nice", "Metz", "Dijon", "Tours",
    "Reims", "Brest", "Caen", "Rouen", "Annecy", "Grenoble", "Toulouse", "Nancy", "Amiens",
    "Limoges", "Alsace", "Provence", "Atlantique", "Normandie", "Bretagne", "Nord", "Sud", "Est",
    "Ouest", "Centre", "Europe", "International", "France", "Holding", "Groupe", "Frères",
    "Associés",
]
FORMS = ["SAS", "SARL", "SA", "GmbH", "S.A.", "EURL", "Ltd", "SNC", "Société Anonyme", "BV"]
INVOICE_WORDS = ["Facture", "Fact.", "INV", "Invoice", "Rg.", "Rechnung", "FACT", "Ref", ""]


@dataclass
class Truth:
    """What one bank entry really is."""

    kind: str
    invoices: tuple[str, ...] = ()
    achievable: bool = False


@dataclass
class Scenario:
    """Everything one benchmark run reads, and the truth to score it against."""

    customers: list[dict[str, str]] = field(default_factory=list)
    open_items: list[dict[str, str]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    transactions: list[BankTransaction] = field(default_factory=list)
    truth: dict[str, Truth] = field(default_factory=dict)

    def statements(self, per_statement: int = 5000) -> list[Statement]:
        """The transactions cut into statements with consistent balances."""
        out = []
        balance = Decimal("250000.00")
        for k in range(0, len(self.transactions), per_statement):
            chunk = self.transactions[k : k + per_statement]
            closing = balance + sum((t.amount for t in chunk), Decimal(0))
            out.append(Statement(
                account=OUR_IBAN, statement_ref=f"STMT{k // per_statement + 1:05d}",
                format="camt.053", currency="EUR", statement_date=chunk[-1].booking_date,
                opening_balance=balance, closing_balance=closing, transactions=chunk,
            ))
            balance = closing
        return out
