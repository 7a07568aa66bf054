"""A WeasyPrint URL fetcher that serves only our own bundled files (fonts, styles) and no others.

WeasyPrint fetches every URL a document mentions (stylesheets, fonts, images, SVG
references). A report must never read a local file or reach the network because of something
in a scenario, so this fetcher answers only ``file:`` URLs that resolve (symbolic links and
``..`` included) to a file of an allowed type inside the bundled ``templates`` folder. Every
other request is refused with :class:`RefusedURL` and recorded.

Importing this module imports WeasyPrint; :mod:`advisor.report.pdf` imports it lazily.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

MEDIA_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".css": "text/css",
}


class RefusedURL(ValueError):
    """A URL outside our own bundled files; WeasyPrint skips the resource."""


class BundledFilesFetcher(URLFetcher):  # type: ignore[misc]
    """Serves files of :data:`MEDIA_TYPES` from one folder; refuses everything else.

    Attributes:
        root: The folder served (resolved).
        fetched: URLs served, in order.
        refused: URLs refused, in order.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = Path(root).resolve()
        self.fetched: list[str] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()

    def local_path(self, url: str) -> Path | None:
        """The file a URL names inside :attr:`root`, or ``None`` when it may not be served."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        if path.suffix.lower() not in MEDIA_TYPES:
            return None
        return path

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self.local_path(url)
        if path is None:
            with self._lock:
                self.refused.append(url)
            log.warning("report: refused to fetch %s (only bundled report files are served)", url)
            raise RefusedURL(f"refused to fetch {url}: only bundled report files are served")
        body = path.read_bytes()
        with self._lock:
            self.fetched.append(url)
        return URLFetcherResponse(
            path.as_uri(), body, headers={"Content-Type": MEDIA_TYPES[path.suffix.lower()]}
        )
