"""The fax inbox: a fax server drops TIFFs into a watched folder (the drop-folder
transport with ``channel = "fax"``), and each becomes a fax order or a refusal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.base import Registry
from connectors.documents.pdf import PdfTextExtractor
from connectors.fax_ocr.extractor import FaxOcrExtractor
from connectors.folder import FolderTransport
from hub.errors import BadDocument
from tests.conftest import SAMPLES
from tests.fax_ocr.corpus import reference

pytestmark = pytest.mark.ocr


def test_dropped_fax_becomes_a_fax_order_and_a_corrupt_one_is_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "fax"
    inbox.mkdir()
    shutil.copy(SAMPLES / "fax" / "fr_classic_fine.tif", inbox / "0612345678-0001.tif")
    (inbox / "0612345678-0002.tif").write_bytes(b"II*\x00" + b"\x00" * 40)
    transport = FolderTransport.from_settings({"path": str(inbox), "channel": "fax",
                                               "settle_seconds": 0})
    registry = Registry([PdfTextExtractor, FaxOcrExtractor], reference=reference())
    results = {}
    for raw in transport.fetch():
        assert raw.channel == "fax"
        try:
            results[raw.name] = registry.extract(raw)[0].source.channel
            transport.settle(raw, ok=True)
        except BadDocument as exc:
            results[raw.name] = str(exc)
            transport.settle(raw, ok=False, reason=str(exc))
    assert results["0612345678-0001.tif"] == "fax"
    assert results["0612345678-0002.tif"].startswith("0612345678-0002.tif: corrupt TIFF image")
    assert (inbox / "done" / "0612345678-0001.tif").exists()
    assert (inbox / "failed" / "0612345678-0002.tif").exists()
