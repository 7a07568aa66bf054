"""Safety: user text never becomes markup, and rendering fetches nothing but our own files."""

from __future__ import annotations

import dataclasses
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from pypdf import PdfReader

from advisor.paths import bundled_path

from .conftest import Examples, WeasyPrintLog

HOSTILE = '<script>alert(1)</script><img src="file:///etc/passwd">'
TEMPLATES = bundled_path("templates")


class _Counter(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets."""
    handler = type("Handler", (_Counter,), {"requests": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_hostile_scenario_name_prints_literally_and_loads_nothing(
    examples: Examples, tmp_path: Path
) -> None:
    from advisor.report import write_pdf

    scenario, ev = examples.scenario_and_evaluation("media-batch-classification")
    scenario = dataclasses.replace(scenario, name=HOSTILE, organisation=HOSTILE, notes=HOSTILE)
    ev = dataclasses.replace(ev, scenario_name=HOSTILE, organisation=HOSTILE)
    info = write_pdf(ev, scenario, tmp_path / "r.pdf", tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert info.refused == ()
    assert info.fetched and all(
        Path(url.removeprefix("file://")).resolve().is_relative_to(TEMPLATES / "fonts")
        for url in info.fetched
    )
    reader = PdfReader(io.BytesIO((tmp_path / "r.pdf").read_bytes()))
    assert reader.metadata.title == f"LLM sourcing recommendation: {HOSTILE}"
    assert reader.metadata.author == HOSTILE
    cover = "".join(reader.pages[0].extract_text().split())
    assert "".join(HOSTILE.split()) in cover


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.com/font.ttf",
        "ftp://example.com/x.css",
        "data:text/css;base64,Ym9keXt9",
        "file://evil.example/etc/passwd",
        (TEMPLATES / "fonts" / ".." / ".." / "pyproject.toml").as_uri(),
        (TEMPLATES / "report.html.j2").as_uri(),  # ours, but not a type a report loads
        (TEMPLATES / "fonts" / "missing.ttf").as_uri(),
        "not a url",
    ],
)
def test_fetcher_refuses_everything_but_our_bundled_files(url: str) -> None:
    from advisor.report.fetcher import BundledFilesFetcher, RefusedURL

    fetcher = BundledFilesFetcher(TEMPLATES)
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.fetched == []


def test_fetcher_serves_the_bundled_font(tmp_path: Path) -> None:
    from advisor.report.fetcher import BundledFilesFetcher

    fetcher = BundledFilesFetcher(TEMPLATES)
    font = TEMPLATES / "fonts" / "DejaVuSansCondensed.ttf"
    response = fetcher.fetch(font.as_uri())
    assert response.read() == font.read_bytes()
    assert fetcher.fetched == [font.as_uri()] and fetcher.refused == []


def test_fetcher_refuses_a_symlink_that_leaves_its_folder(tmp_path: Path) -> None:
    from advisor.report.fetcher import BundledFilesFetcher, RefusedURL

    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret.css"
    secret.write_text("body {}")
    (root / "link.css").symlink_to(secret)
    fetcher = BundledFilesFetcher(root)
    with pytest.raises(RefusedURL):
        fetcher.fetch((root / "link.css").as_uri())


def test_a_real_render_fetches_nothing_outside_our_folder(
    web_server: tuple[str, list[str]], weasyprint_log: WeasyPrintLog
) -> None:
    from advisor.report.pdf import render_pdf

    base, requests = web_server
    html = f"""<!DOCTYPE html><html><head><title>t</title>
    <link rel="stylesheet" href="{base}/linked.css">
    <style>@import url("{base}/imported.css");
      body {{ background: url("https://example.com/bg.png"); }}
      @font-face {{ font-family: X; src: url("file:///etc/passwd"); }}</style></head>
    <body><p style="font-family: X">text</p>
    <img src="file:///etc/passwd"><img src="{base}/img.png">
    <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
      <image href="file:///etc/hostname" width="10" height="10"/></svg>
    <object data="{base}/object.svg"></object></body></html>"""
    rendered = render_pdf(html)
    assert requests == []
    assert rendered.fetched == ()
    assert "file:///etc/passwd" in rendered.refused
    assert f"{base}/img.png" in rendered.refused
    assert f"{base}/linked.css" in rendered.refused
    # WeasyPrint reports the resources it could not load: expected here.
    assert weasyprint_log.expect()
    assert rendered.pages == 1
