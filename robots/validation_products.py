"""Which product each line orders, and the line in the product's own unit.

Identifiers decide, in order: a SKU already set (by a person), the GTIN, our SKU as the
seller's item code, the customer's own code through ``customer_items``. Identifiers
that point at different products stop the line instead of picking one. A description
only ever suggests candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz, process

from hub.model import Line
from hub.queue import Finding
from robots import validation_text as text
from robots.validation_index import MasterIndex, Product
from robots.validation_settings import ValidateSettings


@dataclass
class ResolvedLine:
    """One line after resolution.

    Attributes:
        line: The line as ordered.
        product: The product, when resolved.
        rule: The identifier that decided (``sku``, ``gtin``, ``seller_item_code``,
            ``customer_item``).
        quantity: The quantity in the product's unit.
        unit: The product's unit (or the line's when unresolved).
        unit_price: The ordered price per product unit, when the order states one.
        converted: Whether a pack unit was converted (a carton of 12 -> 12 pieces).
        findings: Problems with this line.
    """

    line: Line
    product: Product | None = None
    rule: str | None = None
    quantity: Decimal = Decimal(0)
    unit: str | None = None
    unit_price: Decimal | None = None
    converted: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The line's field path prefix: ``lines[2]`` (by line number)."""
        return f"lines[{self.line.line_number}]"

    @property
    def sku(self) -> str | None:
        """The resolved SKU."""
        return self.product.sku if self.product else None


def _candidates(line: Line, customer_id: str | None, index: MasterIndex) -> list[
        tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if line.sku and index.product(line.sku):
        found.append(("sku", text.code(line.sku)))
    if line.gtin:
        found += [("gtin", sku) for sku in sorted(index.products_by_gtin(line.gtin))]
    if line.seller_item_code and index.product(line.seller_item_code):
        found.append(("seller_item_code", text.code(line.seller_item_code)))
    if customer_id and line.buyer_item_code:
        sku = index.customer_items.get((customer_id, text.code(line.buyer_item_code)))
        if sku and index.product(sku):
            found.append(("customer_item", text.code(sku)))
    return found


def resolve_line(line: Line, customer_id: str | None, index: MasterIndex,
                 settings: ValidateSettings) -> ResolvedLine:
    """Resolve one line's product and convert it to the product's unit."""
    resolved = ResolvedLine(line, quantity=line.quantity, unit=line.unit,
                            unit_price=line.unit_price)
    candidates = _candidates(line, customer_id, index)
    if not candidates:
        resolved.findings.append(_unknown(line, resolved.path, index, settings))
        return resolved
    rule, sku = candidates[0]
    # A person's SKU overrides; otherwise every identifier given must agree.
    others = {s for r, s in candidates if s != sku}
    if others and rule != "sku":
        resolved.findings.append(_disagreement(line, resolved.path, candidates))
        return resolved
    resolved.product, resolved.rule = index.products[sku], rule
    if not resolved.product.active:
        resolved.findings.append(Finding(
            "INVALID_VALUE", f"product {resolved.product.sku} is no longer sold",
            field=f"{resolved.path}.sku", expected="an active product",
            found=resolved.product.sku, suggestion="choose a replacement product"))
    _convert_unit(resolved, settings)
    return resolved


def _convert_unit(resolved: ResolvedLine, settings: ValidateSettings) -> None:
    product = resolved.product
    assert product is not None
    ordered = settings.unit_code(resolved.line.unit)
    base = settings.unit_code(product.unit)
    resolved.unit = product.unit or resolved.line.unit
    if ordered is None or base is None or ordered == base:
        return
    pack = settings.unit_code(product.pack_unit)
    if pack == ordered and product.pack_size:
        resolved.quantity = resolved.line.quantity * product.pack_size
        if resolved.line.unit_price is not None:
            resolved.unit_price = resolved.line.unit_price / product.pack_size
        resolved.converted = True
        return
    units = " or ".join(u for u in (product.unit, product.pack_unit) if u)
    resolved.findings.append(Finding(
        "INVALID_VALUE", f"product {product.sku} is not sold by {resolved.line.unit}",
        field=f"{resolved.path}.unit", expected=units, found=resolved.line.unit,
        suggestion=f"state the quantity in {units}"))


def _disagreement(line: Line, path: str, candidates: list[tuple[str, str]]) -> Finding:
    stated = ", ".join(f"{rule} -> {sku}" for rule, sku in candidates)
    return Finding(
        "UNKNOWN_PRODUCT", f"the line's identifiers name different products ({stated})",
        field=f"{path}.sku", expected="identifiers of one product", found=stated,
        suggestion="choose the product: " + " or ".join(sorted({s for _r, s in candidates})))


def _unknown(line: Line, path: str, index: MasterIndex, settings: ValidateSettings) -> Finding:
    stated = ", ".join(f"{k} {v}" for k, v in (
        ("GTIN", line.gtin), ("seller code", line.seller_item_code),
        ("buyer code", line.buyer_item_code), ("description", line.description)) if v)
    return Finding(
        "UNKNOWN_PRODUCT", "no product matches the line's GTIN, our SKU or the customer's code",
        field=f"{path}.sku", expected="a known GTIN, SKU or customer item code",
        found=stated or "no identifier", suggestion=suggest_products(line, index, settings))


def suggest_products(line: Line, index: MasterIndex, settings: ValidateSettings) -> str | None:
    """Products whose description resembles the line's: a suggestion, never a decision."""
    wanted = text.fold(line.description)
    if not wanted or not settings.suggestions:
        return None
    near = process.extract(wanted, index.similar_products(wanted), scorer=fuzz.token_set_ratio,
                           limit=settings.suggestions, score_cutoff=60)
    if not near:
        return None
    return "similar products: " + "; ".join(
        f"{index.products[k].sku} {index.products[k].description}" for _v, _s, k in near)
