"""PyInstaller runtime hook: make WeasyPrint use the native libraries shipped in the bundle.

WeasyPrint loads Pango, HarfBuzz, fontconfig and GObject with ``cffi``'s ``ffi.dlopen(name)``
and bare library names. The dynamic loader would resolve those names against the system
(``ld.so.cache``, ``DYLD_*`` paths), not against the bundle, so a bundled copy could be skipped
silently, or missing system libraries would stop the report. This hook redirects a bare name to
the copy in the bundle when there is one (matching every spelling WeasyPrint tries on each
platform); every other ``dlopen`` goes through untouched.

It also points fontconfig at the configuration shipped in the bundle when the machine has none
(macOS and Windows; minimal Linux containers), so text still finds fonts.

Set ``ADVISOR_NATIVE_DEBUG=1`` to print each library loaded from the bundle on stderr, or
``ADVISOR_NATIVE_DEBUG=/some/file`` to append those lines to a file (windowed apps on Windows
have no stderr). The smoke test uses it to prove that the bundled copies are the ones in use.
"""

import contextlib
import os
import re
import sys

_LIBRARY = re.compile(r"(\.so(\.\d+)*|\.dylib|\.dll)$")
_VERSION_TAIL = re.compile(r"[-.]\d+$")


def _stem(name: str) -> str:
    """The library name without prefix, extension and version: ``libpango-1.0.so.0`` -> ``pango``.

    It turns every spelling WeasyPrint tries (``libpango-1.0-0``, ``pango-1.0``,
    ``libpango-1.0.so.0``, ``libpango-1.0.dylib``, ``libpango-1.0-0.dll``) into the same key.
    """
    stem = _LIBRARY.sub("", name)
    stem = stem[3:] if stem.startswith("lib") else stem
    while _VERSION_TAIL.search(stem):
        stem = _VERSION_TAIL.sub("", stem)
    return stem


def _bundled_libraries(base: str) -> dict[str, str]:
    """File name and stem of each shared library at the top of the bundle -> its path."""
    index: dict[str, str] = {}
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return index
    for name in names:
        path = os.path.join(base, name)
        if _LIBRARY.search(name) and os.path.isfile(path):
            index[name] = path
            index.setdefault(_stem(name), path)
    return index


def _report(target: str, line: str) -> None:
    if target == "1":
        if sys.stderr is not None:
            print(line, file=sys.stderr, flush=True)
        return
    with contextlib.suppress(OSError), open(target, "a", encoding="utf-8") as f:
        f.write(line + "\n")


_DLL_DIRS: list[object] = []  # keep the add_dll_directory handles alive


def _install() -> None:
    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return
    debug = os.environ.get("ADVISOR_NATIVE_DEBUG", "")

    # fontconfig: keep the system configuration when there is one, else use the bundled copy.
    bundled_conf = os.path.join(base, "etc", "fonts", "fonts.conf")
    system_conf = "/etc/fonts/fonts.conf"
    if (
        os.path.isfile(bundled_conf)
        and "FONTCONFIG_FILE" not in os.environ
        and "FONTCONFIG_PATH" not in os.environ
        and (sys.platform != "linux" or not os.path.isfile(system_conf))
    ):
        os.environ["FONTCONFIG_PATH"] = os.path.dirname(bundled_conf)
        os.environ["FONTCONFIG_FILE"] = bundled_conf

    # Windows: WeasyPrint opens DLLs with LOAD_LIBRARY_SEARCH_DEFAULT_DIRS, which searches the
    # folders added with add_dll_directory (and skips its own MSYS2 defaults when frozen); make
    # the dependencies of the bundled DLLs resolve inside the bundle.
    if hasattr(os, "add_dll_directory"):
        with contextlib.suppress(OSError):
            _DLL_DIRS.append(os.add_dll_directory(base))

    try:
        import cffi.api
    except ImportError:  # pragma: no cover - WeasyPrint is not in this bundle
        return

    index = _bundled_libraries(base)
    original = cffi.api.FFI.dlopen

    def dlopen(self, name, flags=0):  # type: ignore[no-untyped-def]
        if isinstance(name, str) and name and "/" not in name and os.sep not in name:
            path = index.get(name) or index.get(_stem(name))
            if path is not None:
                if debug:
                    _report(debug, f"advisor-native: {name} -> {path}")
                return original(self, path, flags)
        return original(self, name, flags)

    dlopen.__doc__ = original.__doc__
    cffi.api.FFI.dlopen = dlopen


_install()
del _install
