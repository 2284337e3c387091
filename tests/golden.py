"""Golden files: each sample input sits beside its expected output.

A mismatch fails with a unified diff. Expected files are never rewritten by a test run;
to accept a new output on purpose, run pytest with ``O2C_WRITE_GOLDEN=1`` (which only
writes files that do not exist yet) or edit the expected file by hand and review it.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest


def dumps(value: Any) -> str:
    """Stable pretty JSON for golden files."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def assert_golden(actual: Any, expected_path: Path) -> None:
    """Compare ``actual`` (JSON-able) with the golden file, showing a diff on mismatch."""
    text = dumps(actual)
    if not expected_path.exists():
        if os.environ.get("O2C_WRITE_GOLDEN") == "1":
            expected_path.write_text(text, encoding="utf-8")
            pytest.skip(f"wrote new golden file {expected_path}; review it")
        pytest.fail(f"no golden file {expected_path}; create it by hand or with O2C_WRITE_GOLDEN=1")
    expected = expected_path.read_text(encoding="utf-8")
    if expected != text:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=str(expected_path),
                tofile="actual",
            )
        )
        pytest.fail(f"output differs from {expected_path}:\n{diff}", pytrace=False)
