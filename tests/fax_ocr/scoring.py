"""Compare what a reader found with what the generator printed."""

from __future__ import annotations

from typing import Any

HEADER_FIELDS = ("buyer_order_number", "order_date", "requested_delivery_date", "currency",
                 "buyer_name", "total_amount")


def header_values(order: dict[str, Any]) -> dict[str, Any]:
    """The header fields the corpus states, from a canonical order's JSON."""
    return {
        "buyer_order_number": order["buyer_order_number"],
        "order_date": order["order_date"],
        "requested_delivery_date": order.get("requested_delivery_date"),
        "currency": order["currency"],
        "buyer_name": (order.get("buyer") or {}).get("name"),
        "total_amount": order.get("total_amount"),
    }


def line_values(order: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """(item code, quantity, unit price) of each line."""
    return [(line["seller_item_code"], line["quantity"], line["unit_price"])
            for line in order["lines"]]
