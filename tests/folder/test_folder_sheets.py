"""Integration: order sheets dropped into a folder, read by the registry, filed away."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from connectors.base import Registry
from connectors.folder import FolderTransport
from hub.errors import BadDocument
from tests.conftest import SAMPLES


def test_a_batch_goes_on_past_a_bad_sheet(tmp_path: Path) -> None:
    for name in ("fr_semicolon_cp1252.csv", "xlsx_real_dates.xlsx"):
        shutil.copy(SAMPLES / "sheets" / name, tmp_path / name)
    (tmp_path / "broken.csv").write_bytes(
        "N° de commande;X\n\nRéf;Qté\nA1;douze\n".encode("cp1252")
    )
    for path in tmp_path.iterdir():
        os.utime(path, (1_000_000, 1_000_000))
    transport = FolderTransport.from_settings({"path": str(tmp_path), "settle_seconds": 0})
    registry = Registry.default()

    found: dict[str, list[str]] = {}
    for raw in transport.fetch():
        try:
            orders = registry.extract(raw)
        except BadDocument as exc:
            transport.settle(raw, ok=False, reason=str(exc))
            continue
        found[raw.name] = [o.buyer_order_number for o in orders]
        transport.settle(raw, ok=True)

    assert found == {
        "fr_semicolon_cp1252.csv": ["BC-2025-0318"],
        "xlsx_real_dates.xlsx": ["HDA-2025-0412"],
    }
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == [
        "fr_semicolon_cp1252.csv", "xlsx_real_dates.xlsx"
    ]
    assert (tmp_path / "failed" / "broken.csv.reason.txt").read_text(encoding="utf-8") == (
        "broken.csv: row 4, column Qté: 'douze' is not a number\n"
    )
