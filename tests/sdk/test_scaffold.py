"""``o2c connectors new``: the package it writes installs, is found, and passes its tests.

Installing with pip for every run would be slow and would change the shared virtual
environment; instead the tests put the project on ``PYTHONPATH`` beside a hand-written
``.dist-info`` holding its entry points, which is exactly what ``importlib.metadata``
reads from an installed distribution.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from connectors.sdk import ConfigError
from connectors.sdk.scaffold import scaffold
from hub.cli import main
from tests.conftest import ROOT

O2C = [sys.executable, "-m", "hub.cli"]
SECTIONS = ("## What it reads", "## Configuration", "## Errors", "## Samples", "## Running")


def install_by_metadata(project: Path, site: Path) -> dict[str, str]:
    """Make the project importable and its entry points visible, as pip would."""
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    info = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n")
    groups = "".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items())
        for group, points in meta["entry-points"].items())
    (info / "entry_points.txt").write_text(groups)
    path = os.pathsep.join([str(project), str(site), str(ROOT)])
    return {**os.environ, "PYTHONPATH": path, "O2C_SAMPLES": str(ROOT / "tests" / "samples")}


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("kind", ["extractor", "transport"])
def test_a_new_connector_is_complete_and_its_tests_pass(kind: str, tmp_path: Path) -> None:
    name = f"acme-{kind}s"
    written = scaffold(name, kind, tmp_path)  # type: ignore[arg-type]
    project = written[0]
    package = project / f"o2c_acme_{kind}s"
    assert {p.relative_to(project).as_posix() for p in written[1:]} >= {
        "pyproject.toml", "README.md", f"{package.name}/connector.py",
        f"{package.name}/samples/example.txt", f"tests/test_{package.name}.py"}
    readme = (project / "README.md").read_text()
    assert [s for s in SECTIONS if s in readme] == list(SECTIONS)
    env = install_by_metadata(project, tmp_path / "site")
    tests = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], env, project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "skipped" not in tests.stdout


def test_an_installed_connector_is_listed_checked_and_previewed(tmp_path: Path) -> None:
    project = scaffold("acme-orders", "extractor", tmp_path)[0]
    env = install_by_metadata(project, tmp_path / "site")
    listed = run([*O2C, "connectors", "list"], env, tmp_path)
    assert "acme-orders" in listed.stdout, listed.stdout + listed.stderr
    checked = run([*O2C, "connectors", "check", "acme-orders"], env, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("extractor acme-orders: ok") == 8
    sample = project / "o2c_acme_orders" / "samples" / "example.txt"
    preview = run([*O2C, "extract", "--connector", "acme-orders", str(sample)], env, tmp_path)
    assert preview.returncode == 0 and '"buyer_order_number":"PO-1001"' in preview.stdout


def test_a_failing_check_exits_1_with_the_reason(tmp_path: Path) -> None:
    project = scaffold("acme-orders", "extractor", tmp_path)[0]
    connector = project / "o2c_acme_orders" / "connector.py"
    connector.write_text(connector.read_text().replace(
        'return raw.head.removeprefix(b"\\xef\\xbb\\xbf").startswith(MAGIC.encode())',
        "return True"))
    env = install_by_metadata(project, tmp_path / "site")
    checked = run([*O2C, "connectors", "check", "acme-orders"], env, tmp_path)
    assert checked.returncode == 1
    assert "failed  rejects every other sample: other samples claimed: bai2/" in checked.stderr


def test_names_are_checked_and_nothing_is_overwritten(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="lower-case letters"):
        scaffold("Acme Portal", "transport", tmp_path)
    with pytest.raises(ConfigError, match="already installed"):
        scaffold("folder", "transport", tmp_path)
    scaffold("acme", "extractor", tmp_path)
    with pytest.raises(ConfigError, match="already exists; nothing was written"):
        scaffold("acme", "extractor", tmp_path)


def test_the_command_writes_into_the_given_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["connectors", "new", "acme-api", "--kind", "transport", "--dir", str(tmp_path)]
    assert main(command) == 0
    assert (tmp_path / "o2c-acme-api" / "o2c_acme_api" / "connector.py").is_file()
    assert main(command) == 2
    assert "already exists" in capsys.readouterr().err


def test_the_packaged_schema_is_the_contract() -> None:
    packaged = ROOT / "connectors" / "sdk" / "canonical-order.schema.json"
    assert packaged.read_bytes() == (ROOT / "tests" / "canonical-order.schema.json").read_bytes()
