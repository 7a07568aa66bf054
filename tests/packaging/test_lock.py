"""The lock file: uv.lock matches pyproject.toml; the hashed requirements files match uv.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_packages() -> dict[str, set[str]]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for package in lock["package"]:
        if "version" in package:  # our own project is locked by its source, not a version
            out.setdefault(canonical(package["name"]), set()).add(package["version"])
    return out


def exported(path: Path) -> list[tuple[str, str, list[str]]]:
    """(name, version, hashes) of each requirement in a file written by `uv export`."""
    entries: list[tuple[str, str, list[str]]] = []
    for block in re.split(r"\n(?=\S)", path.read_text(encoding="utf-8")):
        match = REQUIREMENT.match(block)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            entries.append((canonical(match[1]), match[2], hashes))
    return entries


def test_the_lock_was_made_from_the_current_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    ours = next(p for p in lock["package"] if p["name"] == project["name"])
    locked = {
        (canonical(r["name"]), r.get("specifier", ""), r.get("marker", ""))
        for r in ours["metadata"]["requires-dist"]
    }
    wanted = set()
    for extra, deps in [("", project["dependencies"]), *project["optional-dependencies"].items()]:
        for dep in deps:
            name = re.match(r"[A-Za-z0-9._-]+", dep)
            assert name is not None
            marker = f"extra == '{extra}'" if extra else ""
            wanted.add((canonical(name[0]), dep[name.end() :].replace(" ", ""), marker))
    assert {(n, s.replace(" ", ""), m) for n, s, m in locked} == wanted, "run `make lock`"


@pytest.mark.parametrize("name", ["dev.txt", "package.txt"])
def test_each_exported_requirement_is_pinned_hashed_and_locked(name: str) -> None:
    locked = locked_packages()
    entries = exported(ROOT / "requirements" / name)
    assert len(entries) > 20
    for package, version, hashes in entries:
        assert version in locked.get(package, set()), f"{package}=={version} not in uv.lock"
        assert hashes, f"{package} has no hash"


def test_the_packaging_requirements_hold_the_runtime_and_pyinstaller_but_no_test_tools() -> None:
    names = {n for n, _, _ in exported(ROOT / "requirements" / "package.txt")}
    assert {"pyinstaller", "genai-prices", "weasyprint", "pyside6-essentials"} <= names
    assert not names & {"pytest", "mypy", "ruff", "hypothesis"}
