"""Quick checks of packaging/ that need no build: desktop file, AppStream metainfo, icons,
the runtime hook's library-name matching, and the install/uninstall scripts on a fake bundle.

The bundle itself is checked by packaging/smoke_test.sh (``make package``).
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from advisor.__about__ import __app_id__, __app_name__, __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / "linux" / f"{__app_id__}.desktop"
METAINFO = PACKAGING / "linux" / f"{__app_id__}.metainfo.xml"
ICONS = PACKAGING / "icons"
SLUG = __app_name__.lower().replace(" ", "-")
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign] # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_desktop_file_is_named_after_the_app_id_and_launches_the_bundle() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == __app_name__
    assert entry["Icon"] == __app_id__
    assert entry["TryExec"] == SLUG
    assert entry["Exec"].split()[0] == SLUG
    assert entry["Exec"].split()[1:] == ["%f"]  # a scenario file to open, like advisor-gui
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")


def test_metainfo_matches_the_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == __app_id__
    assert root.findtext("name") == __app_name__
    launchable = root.find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.findtext("provides/binary") == SLUG
    releases = root.findall("releases/release")
    assert releases, "no <release>"
    assert releases[0].get("version") == __version__, "add a <release> for the new version"


@pytest.mark.parametrize(
    ("tool", "args", "target"),
    [
        ("desktop-file-validate", [], DESKTOP),
        ("appstreamcli", ["validate", "--no-net"], METAINFO),
    ],
)
def test_desktop_files_validate(tool: str, args: list[str], target: Path) -> None:
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} is not installed (apt-get install desktop-file-utils appstream)")
    done = subprocess.run([exe, *args, str(target)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_icon_set() -> None:
    svg = ET.parse(ICONS / f"{__app_id__}.svg").getroot()
    assert svg.tag.endswith("svg")
    assert svg.get("viewBox") == "0 0 256 256"
    for size in PNG_SIZES:
        png = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{__app_id__}.png"
        assert png_size(png) == (size, size)


def test_windows_and_macos_icons() -> None:
    ico = (ICONS / f"{__app_id__}.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
    icns = (ICONS / f"{__app_id__}.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic10" in icns  # 1024 px (512@2x)


def load_runtime_hook() -> ModuleType:
    path = PACKAGING / "rthooks" / "pyi_rth_advisor_native.py"
    spec = importlib.util.spec_from_file_location("pyi_rth_advisor_native", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not frozen (no sys._MEIPASS): installs nothing
    return module


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        # every spelling WeasyPrint tries, on each platform
        ("libgobject-2.0-0", "gobject"),
        ("gobject-2.0", "gobject"),
        ("libgobject-2.0.so.0", "gobject"),
        ("libgobject-2.0.0.dylib", "gobject"),
        ("libgobject-2.0-0.dll", "gobject"),
        ("libpango-1.0-0", "pango"),
        ("libpangoft2-1.0.so.0", "pangoft2"),
        ("harfbuzz-0.0", "harfbuzz"),
        ("libharfbuzz.0.dylib", "harfbuzz"),
        ("libharfbuzz-subset-0", "harfbuzz-subset"),
        ("libfontconfig-1", "fontconfig"),
        ("libfontconfig.so.1", "fontconfig"),
    ],
)
def test_runtime_hook_matches_library_spellings(name: str, stem: str) -> None:
    assert load_runtime_hook()._stem(name) == stem


def test_runtime_hook_indexes_only_shared_libraries(tmp_path: Path) -> None:
    for name in ("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "base_library.zip", "README"):
        (tmp_path / name).write_bytes(b"")
    index = load_runtime_hook()._bundled_libraries(str(tmp_path))
    assert index["pango"] == str(tmp_path / "libpango-1.0.so.0")
    assert index["pangoft2"] == str(tmp_path / "libpangoft2-1.0.so.0")
    assert "base_library" not in index
    assert "README" not in index


@pytest.mark.skipif(sys.platform == "win32", reason="the Linux install scripts")
def test_install_and_uninstall_a_bundle(tmp_path: Path) -> None:
    """install.sh and uninstall.sh on a fake bundle laid out as the spec lays out the real one."""
    bundle = tmp_path / "dist" / SLUG
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / SLUG
    exe.write_text("#!/bin/sh\necho started\n")
    exe.chmod(0o755)
    share = bundle / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(DESKTOP, share / "applications")
    (share / "metainfo").mkdir()
    shutil.copy2(METAINFO, share / "metainfo")
    shutil.copytree(ICONS / "hicolor", share / "icons" / "hicolor")
    (share / "icons" / "hicolor" / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(ICONS / f"{__app_id__}.svg", share / "icons" / "hicolor" / "scalable" / "apps")
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(PACKAGING / "linux" / script, bundle / script)

    home = tmp_path / "home with space"
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "XDG_DATA_HOME": "",
        "XDG_CONFIG_HOME": "",
    }
    data = home / ".local" / "share"
    installed = home / ".local" / "opt" / SLUG
    run = subprocess.run(
        ["sh", str(bundle / "install.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (installed / SLUG).is_file()
    link = home / ".local" / "bin" / SLUG
    assert link.resolve() == (installed / SLUG).resolve()
    menu = data / "applications" / DESKTOP.name
    text = menu.read_text(encoding="utf-8")
    assert f'Exec="{installed / SLUG}" %f' in text
    assert f"TryExec={installed / SLUG}" in text
    for size in PNG_SIZES:
        assert (
            data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{__app_id__}.png"
        ).is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{__app_id__}.svg").is_file()
    assert (data / "metainfo" / METAINFO.name).is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(menu)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr

    user_data = data / SLUG
    user_data.mkdir()
    (user_data / "catalog.sqlite").write_bytes(b"keep me")
    run = subprocess.run(
        ["sh", str(installed / "uninstall.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert not installed.exists()
    assert not link.exists() and not link.is_symlink()
    assert not menu.exists()
    assert not list((data / "icons").rglob(f"{__app_id__}.*"))
    assert not (data / "metainfo" / METAINFO.name).exists()
    assert (user_data / "catalog.sqlite").read_bytes() == b"keep me"  # data kept without --purge
