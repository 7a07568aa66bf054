"""The headless hook a packaged build runs: ``advisor-gui --self-test``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_self_test_walks_every_page_writes_a_pdf_and_screenshots(tmp_path, catalog_file) -> None:
    env = dict(os.environ, ADVISOR_CATALOG=str(catalog_file))
    env.pop("QT_QPA_PLATFORM", None)  # the self-test must pick offscreen by itself
    shots = tmp_path / "shots"
    out = subprocess.run(
        [sys.executable, "-m", "ui.app", "--self-test", "--screenshots", str(shots)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "FAIL" not in out.stdout
    assert "PDF report written" in out.stdout
    assert {p.name for p in shots.glob("*.png")} >= {
        "01-welcome.png",
        "05-review.png",
        "06-results.png",
        "07-report.png",
    }


def test_version_flag_prints_the_version() -> None:
    from advisor.__about__ import __version__

    out = subprocess.run(
        [sys.executable, "-m", "ui.app", "--version"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and __version__ in out.stdout
