"""Rasterise the app icon: the hicolor PNG set, the Windows .ico and the macOS .icns.

Source: packaging/icons/<app id>.svg (drawn by hand, 256x256 viewBox). The outputs are committed,
so a build never needs this script; run it again after changing the SVG:

    python packaging/icons/render_icons.py            # rsvg-convert if installed, else Qt
    python packaging/icons/render_icons.py --qt       # force PySide6's QSvgRenderer

rsvg-convert comes with Debian's librsvg2-bin; PySide6-Essentials ships QtSvg (QSvgRenderer).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)  # the hicolor theme folders
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types holding PNG data, by pixel size (1024 is the 512@2x entry).
ICNS_TYPES = {
    16: b"icp4",
    32: b"icp5",
    64: b"icp6",
    128: b"ic07",
    256: b"ic08",
    512: b"ic09",
    1024: b"ic10",
}


def app_id() -> str:
    spec = importlib.util.spec_from_file_location("about", ROOT / "advisor" / "__about__.py")
    assert spec is not None and spec.loader is not None
    about = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(about)
    return str(about.__app_id__)


def rsvg_renderer(svg: Path) -> Callable[[int], bytes] | None:
    tool = shutil.which("rsvg-convert")
    if tool is None:
        return None

    def render(size: int) -> bytes:
        return subprocess.run(
            [tool, "--width", str(size), "--height", str(size), "--format", "png", str(svg)],
            check=True,
            capture_output=True,
        ).stdout

    return render


def qt_renderer(svg: Path) -> Callable[[int], bytes]:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"Qt cannot read {svg}")

    def render(size: int) -> bytes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(data.data())

    render.app = app  # type: ignore[attr-defined] # keep the application alive
    return render


def ico(images: dict[int, bytes]) -> bytes:
    """A Windows icon with PNG-compressed entries (Windows Vista and later)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = images[size]
        dim = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    """A macOS icon family with PNG elements."""
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(data)) + data
        for size, data in sorted(images.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qt", action="store_true", help="render with PySide6, not rsvg-convert")
    args = parser.parse_args(argv)

    name = app_id()
    svg = HERE / f"{name}.svg"
    render = None if args.qt else rsvg_renderer(svg)
    how = "rsvg-convert"
    if render is None:
        render, how = qt_renderer(svg), "Qt QSvgRenderer"
    cache: dict[int, bytes] = {}

    def png(size: int) -> bytes:
        if size not in cache:
            cache[size] = render(size)
            if cache[size][:8] != b"\x89PNG\r\n\x1a\n":
                raise SystemExit(f"rendering {size}px did not give a PNG")
        return cache[size]

    for size in PNG_SIZES:
        out = HERE / "hicolor" / f"{size}x{size}" / "apps" / f"{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(png(size))
    (HERE / f"{name}.ico").write_bytes(ico({s: png(s) for s in ICO_SIZES}))
    (HERE / f"{name}.icns").write_bytes(icns({s: png(s) for s in ICNS_TYPES}))
    print(f"rendered {svg.name} with {how}: {len(PNG_SIZES)} PNG sizes, .ico, .icns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
