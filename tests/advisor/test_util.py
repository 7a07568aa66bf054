"""Atomic writes: the replaced file's mode is kept, leftovers of killed writers are cleaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.paths import bundled_path
from advisor.util import atomic_write_bytes, atomic_write_many, remove_stale_temps

EXAMPLE = bundled_path("resources") / "examples" / "media-batch-classification.json"


def test_replacing_a_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o644)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o644


def test_export_replacing_a_0644_workbook_keeps_0644(
    tmp_path: Path, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.xlsx"
    out.write_bytes(b"old")
    out.chmod(0o644)
    assert main(["export", str(EXAMPLE), "-o", str(out), "--draws", "200"]) == 0
    assert out.read_bytes()[:2] == b"PK"
    assert out.stat().st_mode & 0o777 == 0o644


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(
            f"""
            import os, tempfile, time
            fd, name = tempfile.mkstemp(prefix=".report.pdf." + str(os.getpid()) + ".",
                                        suffix=".tmp", dir={str(tmp_path)!r})
            os.write(fd, b"half a pdf")
            print(name, flush=True)
            time.sleep(60)
            """
        )],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    leftover = Path(child.stdout.readline().strip())
    assert remove_stale_temps(target) == []  # its writer is alive: not touched
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=10)
    assert leftover.exists()
    atomic_write_bytes(target, b"%PDF-new")
    assert not leftover.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_files_written_together_replace_their_old_versions_only_when_all_are_written(
    tmp_path: Path,
) -> None:
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    pdf.write_bytes(b"old pdf")
    html.write_bytes(b"old html")
    gone = tmp_path / "gone" / "r.html"  # its folder does not exist: the second write fails
    with pytest.raises(OSError):
        atomic_write_many([(pdf, b"new pdf"), (gone, b"new html")])
    assert pdf.read_bytes() == b"old pdf"  # the first file was written but not put in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.pdf"]
    atomic_write_many([(pdf, b"new pdf"), (html, b"new html")])
    assert (pdf.read_bytes(), html.read_bytes()) == (b"new pdf", b"new html")
