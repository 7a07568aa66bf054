#!/usr/bin/env bash
# Build the desktop bundle of LLM Sourcing Advisor with PyInstaller (one-folder mode):
#   Linux, Windows: dist/llm-sourcing-advisor/   (run dist/llm-sourcing-advisor/llm-sourcing-advisor)
#   macOS:          dist/LLM Sourcing Advisor.app (plus the plain folder next to it)
# Then check it with packaging/smoke_test.sh.
#
# The build runs in its own virtual environment (build/packaging/venv, made on first use and
# refreshed when the lock changes) holding the app's locked runtime dependencies and PyInstaller,
# and nothing else: no test or lint tools, no editable install. Settings (environment):
#   PYTHON=python3.11        interpreter for the build venv (3.11 or newer)
#   BUILD_VENV=.venv         reuse another venv instead (the locked packages are installed into it)
#   DIST=dist                where the bundle goes
#   PYINSTALLER_ARGS=--clean extra PyInstaller arguments
#   ARCHIVE=1                also pack the bundle: dist/<name>-<version>-<os>-<arch>.tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PYTHON=${PYTHON:-python3}
BUILD_VENV=${BUILD_VENV:-build/packaging/venv}
DIST=${DIST:-dist}
WORK=build/packaging/work
SPEC=packaging/llm-sourcing-advisor.spec
PYINSTALLER_ARGS=${PYINSTALLER_ARGS:-}

say() { printf '== %s\n' "$*"; }
started=$(date +%s)

venv_python() {
  if [ -x "$BUILD_VENV/bin/python" ]; then echo "$BUILD_VENV/bin/python"
  elif [ -x "$BUILD_VENV/Scripts/python.exe" ]; then echo "$BUILD_VENV/Scripts/python.exe"
  fi
}

# 1. The build environment: the locked runtime dependencies plus PyInstaller (requirements/package.txt).
stamp="$BUILD_VENV/.packaging-stamp"
if [ -z "$(venv_python)" ]; then
  say "creating the build venv $BUILD_VENV"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "Python 3.11 or newer is needed (PYTHON=$PYTHON)" >&2; exit 1; }
  "$PYTHON" -m venv "$BUILD_VENV"
fi
PY=$(venv_python)
if [ ! -f "$stamp" ] || [ requirements/package.txt -nt "$stamp" ] || [ packaging/build.sh -nt "$stamp" ]; then
  say "installing the locked runtime dependencies and PyInstaller into $BUILD_VENV"
  # requirements/package.txt is exported from uv.lock (make lock): exact versions with hashes.
  "$PY" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
    -r requirements/package.txt
  touch "$stamp"
fi
say "PyInstaller $("$PY" -m PyInstaller --version) on $("$PY" -c 'import platform; print(platform.python_version())')"

# 2. The bundle. The spec reads name, version and app id from advisor/__about__.py.
say "building the bundle (spec $SPEC)"
# shellcheck disable=SC2086 # PYINSTALLER_ARGS is a list of words on purpose
"$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" $PYINSTALLER_ARGS "$SPEC"

slug=$(sed -n 's/^__app_name__ = "\(.*\)"/\1/p' advisor/__about__.py | tr '[:upper:] ' '[:lower:]-')
bundle="$DIST/$slug"
[ -d "$bundle" ] || { echo "no bundle at $bundle" >&2; exit 1; }
say "bundle: $ROOT/$bundle ($(du -sh "$bundle" | cut -f1), $(find "$bundle" -type f | wc -l | tr -d ' ') files)"
app=$(find "$DIST" -maxdepth 1 -name '*.app' | head -n 1)
[ -z "$app" ] || say "macOS app: $ROOT/$app ($(du -sh "$app" | cut -f1))"
if [ "${ARCHIVE:-0}" = 1 ]; then
  version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' advisor/__about__.py)
  os_name=$(uname -s | tr '[:upper:]' '[:lower:]')
  archive="$DIST/$slug-$version-$os_name-$(uname -m).tar.gz"
  tar -C "$DIST" -czf "$archive" "$slug"
  say "archive: $ROOT/$archive ($(du -sh "$archive" | cut -f1))"
fi
say "built in $(( $(date +%s) - started )) s; next: packaging/smoke_test.sh"
