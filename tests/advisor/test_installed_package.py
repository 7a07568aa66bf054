"""A normal (non-editable) install carries the seeds and templates, found via importlib.resources;
and the engine never imports Qt."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("*.whl")
    return path


def test_wheel_contains_seed_data_templates_and_examples(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "advisor/_bundled/resources/catalog/gpus.yaml",
        "advisor/_bundled/resources/catalog/open_models.yaml",
        "advisor/_bundled/resources/examples/bank-on-premises.json",
        "advisor/_bundled/templates/.bundled-marker",
        "ui/app.py",
    ):
        assert needed in names, needed
    assert not any(n.startswith("tests/") for n in names)


def test_installed_copy_finds_its_bundled_data_outside_the_checkout(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import advisor.paths as p, importlib.resources as r;"
        "print(p.__file__); print(p.bundled_path('resources'));"
        "print((p.bundled('resources') / 'catalog' / 'gpus.yaml').is_file())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split("\n")
    assert out[0].startswith(str(target))
    assert out[1].startswith(str(target)) and out[1].endswith("_bundled/resources")
    assert out[2] == "True"


def test_engine_import_loads_no_qt():
    code = (
        "import sys, advisor, advisor.recommend, advisor.cli, advisor.mail, advisor.capability.cli;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'ui')];"
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    assert out == "[]"
