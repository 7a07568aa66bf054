"""Writing files: atomic replacement, unwritable paths, progress, the CLI and a light import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from advisor.cli import main
from advisor.errors import InputError

from .conftest import Examples


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_failed_render_leaves_the_previous_files_byte_identical(
    examples: Examples, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    from advisor.report import write_pdf

    scenario, ev = examples.scenario_and_evaluation("legal-tech-startup")
    pdf, html = tmp_path / "report.pdf", tmp_path / "report.html"
    pdf.write_bytes(b"%PDF-previous report")
    html.write_text("previous html")

    def broken(self: Any, *args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(weasyprint.Document, "write_pdf", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_pdf(ev, scenario, pdf, html)
    assert pdf.read_bytes() == b"%PDF-previous report"
    assert html.read_text() == "previous html"
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]


def test_a_failed_write_leaves_no_temporary_file(
    examples: Examples, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.report import write_xlsx

    scenario, ev = examples.scenario_and_evaluation("legal-tech-startup")
    out = tmp_path / "results.xlsx"
    out.write_bytes(b"previous workbook")

    def no_space(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(InputError, match="No space left on device"):
        write_xlsx(ev, scenario, out)
    assert out.read_bytes() == b"previous workbook"
    assert _leftovers(tmp_path) == []


def test_cancelling_through_progress_writes_nothing(examples: Examples, tmp_path: Path) -> None:
    from advisor.report import write_pdf

    scenario, ev = examples.scenario_and_evaluation("legal-tech-startup")
    seen: list[tuple[float, str]] = []

    def progress(fraction: float, message: str) -> None:
        seen.append((fraction, message))
        if fraction >= 0.1:
            raise KeyboardInterrupt  # what a cancel button may raise

    with pytest.raises(KeyboardInterrupt):
        write_pdf(ev, scenario, tmp_path / "r.pdf", progress=progress)
    assert list(tmp_path.iterdir()) == []
    assert seen[0] == (0.0, "Preparing the report")


def test_progress_rises_from_zero_to_one(examples: Examples) -> None:
    steps = examples.render("media-batch-classification").progress
    fractions = [f for f, _ in steps]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(isinstance(message, str) and message for _, message in steps)


@pytest.mark.parametrize("path", ["/proc/x/report.pdf", "/nonexistent-folder/report.pdf", "{tmp}"])
def test_unwritable_paths_are_refused_before_any_work(
    examples: Examples, tmp_path: Path, path: str
) -> None:
    from advisor.report import write_pdf

    scenario, ev = examples.scenario_and_evaluation("legal-tech-startup")
    with pytest.raises(InputError, match=r"cannot write|is a folder"):
        write_pdf(ev, scenario, path.format(tmp=tmp_path))


@pytest.fixture(scope="module")
def small_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small scenario file that is not one of the examples (those are evaluated once)."""
    from advisor.scenario import Preferences, Scenario, save_scenario

    path = tmp_path_factory.mktemp("cli") / "small scenario.json"
    save_scenario(Scenario(name="CLI check", preferences=Preferences(monte_carlo_draws=100)), path)
    return path


def test_cli_report_writes_the_pdf_and_html(
    small_scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, html = tmp_path / "report.pdf", tmp_path / "report.html"
    assert main(["report", str(small_scenario), "-o", str(out), "--html", str(html)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert "<title>LLM sourcing recommendation: CLI check</title>" in html.read_text()
    assert "wrote" in capsys.readouterr().out


def test_cli_export_writes_a_workbook(small_scenario: Path, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "results.xlsx"
    assert main(["export", str(small_scenario), "-o", str(out)]) == 0
    assert "Summary" in openpyxl.load_workbook(out).sheetnames


@pytest.mark.parametrize("command", ["report", "export"])
def test_cli_exits_2_on_an_invalid_scenario(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"workload": {"requests_per_day": "lots"}}))
    assert main([command, str(bad), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "workload.requests_per_day" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["report", "export"])
def test_cli_exits_2_on_an_unwritable_path(
    command: str, small_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, str(small_scenario), "-o", "/proc/x/report.pdf"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("advisor: /proc/x/report.pdf: cannot write")
    assert "\n" not in err


def test_importing_the_report_package_loads_no_heavy_library() -> None:
    code = (
        "import sys, advisor.report; "
        "print([m for m in ('weasyprint', 'openpyxl', 'jinja2', 'fontTools') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
