"""Generated typed-order mails read back to the values they were written from."""

from __future__ import annotations

import pytest

from connectors.base import RawDocument, Registry
from connectors.email.mime import EmailExtractor
from tests.email.corpus import make_body

SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_typed_order_reads_back(seed: int) -> None:
    spec = make_body(seed)
    [order] = Registry([EmailExtractor]).extract(
        RawDocument(content=bytes(spec.message()), name=f"body-{seed}.eml"))
    data = order.to_json_dict()
    expected = spec.expected()
    for field in ("buyer_order_number", "order_date", "requested_delivery_date", "currency"):
        assert data[field] == expected[field], field
    found = [(line["seller_item_code"] or line["buyer_item_code"] or line["gtin"],
              line["quantity"], line["unit_price"]) for line in data["lines"]]
    assert found == expected["lines"]
