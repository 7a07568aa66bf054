#!/usr/bin/env bash
# Smoke test of the built desktop bundle: it must start, walk the wizard with the bundled example
# and render a PDF report (`--self-test`, Qt offscreen), and exit 0, using only what it ships:
#   - a copy of the bundle in a temporary folder, started from another temporary folder;
#   - a scrubbed environment: no PYTHONPATH/PYTHONHOME/VIRTUAL_ENV, PATH without the dev venv,
#     HOME, XDG folders, ADVISOR_DATA_DIR/ADVISOR_CONFIG_DIR/ADVISOR_CATALOG all temporary
#     (so the catalog is built at first run from the bundled seeds, as for a new user);
#   - WeasyPrint's native libraries (Pango, HarfBuzz, fontconfig, GObject) must be the bundled
#     copies (the runtime hook reports each one it loads with ADVISOR_NATIVE_DEBUG=1);
#   - `<bundle> catalog update --from <loopback HTTPS mirror>` must refresh the prices, and a
#     failed update must exit 2 and leave the catalog as it was (needs a Python with
#     `cryptography` for the mirror: the dev venv, or SMOKE_PYTHON).
# Usage: packaging/smoke_test.sh [BUNDLE]
#   BUNDLE: the one-folder bundle (default dist/llm-sourcing-advisor) or, on macOS, the .app
#   (default there: the .app in dist/ when there is one).
# Prints the bundle size, the wall time of the run and the start-up time, and exits 0 on success.
# KEEP=1 keeps the temporary folder; TIMEOUT=seconds (default 180).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
slug=$(sed -n 's/^__app_name__ = "\(.*\)"/\1/p' "$ROOT/advisor/__about__.py" | tr '[:upper:] ' '[:lower:]-')
BUNDLE=${1:-}
if [ -z "$BUNDLE" ]; then
  BUNDLE=$ROOT/dist/$slug
  mac_app=$(find "$ROOT/dist" -maxdepth 1 -name '*.app' 2>/dev/null | head -n 1)
  [ -n "$mac_app" ] && BUNDLE=$mac_app
fi
BUNDLE=${BUNDLE%/}
TIMEOUT=${TIMEOUT:-180}

fail() { printf 'SMOKE TEST FAILED: %s\n' "$*" >&2; exit 1; }
[ -d "$BUNDLE" ] || fail "no bundle at $BUNDLE (run packaging/build.sh first)"

case "$(uname -s)" in
  Linux*) os=linux ;;
  Darwin*) os=macos ;;
  MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) os=other ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/advisor-smoke.XXXXXX")
cleanup() {
  if [ "${KEEP:-0}" = 1 ] || [ "${ok:-0}" != 1 ]; then
    echo "smoke-test files kept in $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
mkdir -p "$tmp/work" "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/tmp" "$tmp/shots" "$tmp/xdg"
chmod 700 "$tmp/xdg"

# A relocated copy: nothing may point back into the source tree or the build venv.
case "$BUNDLE" in
  *.app) app="$tmp/$(basename "$BUNDLE")"; exe="$app/Contents/MacOS/$slug" ;;
  *) app="$tmp/app"; exe="$app/$slug" ;;
esac
cp -R "$BUNDLE" "$app"
[ "$os" = windows ] && exe="$exe.exe"
[ -x "$exe" ] || fail "no executable $exe in the bundle"
example=$(find "$app" -path '*advisor/_bundled/resources/examples/*.json' | head -n 1)
[ -n "$example" ] || fail "the bundle has no advisor/_bundled/resources/examples"
[ -f "$(find "$app" -path '*advisor/_bundled/templates/report.html.j2' | head -n 1)" ] \
  || fail "the bundle has no advisor/_bundled/templates"

run_env=(
  HOME="$tmp/home"
  TMPDIR="$tmp/tmp"
  LANG=C.UTF-8
  XDG_CONFIG_HOME="$tmp/home/.config"
  XDG_DATA_HOME="$tmp/home/.local/share"
  XDG_CACHE_HOME="$tmp/home/.cache"
  XDG_RUNTIME_DIR="$tmp/xdg"
  QT_QPA_PLATFORM=offscreen
  ADVISOR_DATA_DIR="$tmp/data"
  ADVISOR_CONFIG_DIR="$tmp/config"
  ADVISOR_CATALOG="$tmp/data/catalog.sqlite"
  ADVISOR_NATIVE_DEBUG="$tmp/native-libraries.log"
)
if [ "$os" = windows ]; then
  # Windows programs need SYSTEMROOT & co.: drop the Python variables instead of everything.
  launcher=(env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV -u PYTHONSTARTUP "${run_env[@]}")
else
  launcher=(env -i PATH=/usr/bin:/bin "${run_env[@]}")
fi

run_with_timeout() {
  if command -v timeout >/dev/null 2>&1; then
    timeout "$TIMEOUT" "$@"
  else  # macOS has no timeout(1) by default
    "$@" &
    local pid=$! rc=0
    ( sleep "$TIMEOUT" && kill -9 "$pid" 2>/dev/null ) &
    local watchdog=$!
    wait "$pid" || rc=$?
    kill "$watchdog" 2>/dev/null || true
    return "$rc"
  fi
}

now() { date +%s.%N 2>/dev/null | grep -v N || python3 -c 'import time; print(time.time())'; }

echo "== smoke test: $exe --self-test (offscreen, from $tmp/work)"
log="$tmp/self-test.log"
start=$(now)
rc=0
(cd "$tmp/work" && run_with_timeout "${launcher[@]}" "$exe" --self-test --screenshots "$tmp/shots") \
  >"$log" 2>&1 || rc=$?
end=$(now)

echo "-- output"
sed 's/^/   /' "$log"
echo "--"
[ "$rc" = 0 ] || fail "exit code $rc (124 or 137: timed out after ${TIMEOUT}s)"
[ -s "$tmp/data/catalog.sqlite" ] || fail "the catalog was not built at ADVISOR_CATALOG"
shots=$(find "$tmp/shots" -name '*.png' | wc -l | tr -d ' ')
[ "$shots" -ge 7 ] || fail "only $shots screenshots"
[ -s "$tmp/shots/07-report.png" ] || fail "the report page was never reached"
pdf_file="$tmp/shots/self-test-report.pdf"
[ "$(head -c 5 "$pdf_file" 2>/dev/null)" = "%PDF-" ] || fail "no PDF kept at $pdf_file"
if grep -q '^ok ' "$log"; then
  grep -q '^self-test passed' "$log" || fail "no 'self-test passed' line"
  grep -Eq '^ok +PDF report written' "$log" || fail "no PDF report written"
  pdf_line=$(grep -E '^ok +PDF is [0-9,]+ bytes' "$log") || fail "no PDF size line"
  ! grep -q 'Traceback' "$log" || fail "a traceback was printed"
elif [ "$os" = linux ]; then
  fail "no self-test output"
else
  # A windowed app on Windows has no stdout: exit 0 means every step passed, the PDF included.
  pdf_line="PDF written (exit 0; a windowed app prints nothing)"
fi

# WeasyPrint's libraries must come from the relocated bundle, not from the system.
native="$tmp/native-libraries.log"
[ -s "$native" ] || fail "the runtime hook loaded no native library from the bundle"
real_app=$(cd "$app" && pwd -P)
win_app=$real_app
[ "$os" = windows ] && win_app=$(cygpath -w "$app")
for lib in gobject pango pangoft2 harfbuzz fontconfig; do
  line=$(grep -E "^advisor-native: (lib)?${lib}[-.0-9]*(\\.so|\\.dylib|\\.dll|-[0-9]|$| )" "$native" | head -n 1) \
    || fail "WeasyPrint's $lib was not loaded from the bundle"
  case "$line" in
    *" -> $app/"* | *" -> $real_app/"* | *" -> $win_app\\"*) ;;
    *) fail "WeasyPrint's $lib came from outside the bundle: $line" ;;
  esac
done
echo "   bundled native libraries in use:"
sed -e "s|$real_app/||" -e "s|$app/||" -e 's/^advisor-native: /     /' "$native"

# Price updates without pip: the bundle downloads API and cloud GPU prices from a loopback HTTPS
# mirror (tests/price_server.py serving tests/advisor/catalog/data/price_mirror with a test CA),
# and a failed download (404) exits 2 and leaves the catalog as it was.
server_py=""
for candidate in "${SMOKE_PYTHON:-}" "$ROOT/.venv/bin/python" "$ROOT/.venv/Scripts/python.exe" \
  "$ROOT/build/packaging/venv/bin/python" python3; do
  if [ -n "$candidate" ] && "$candidate" -c 'import cryptography' >/dev/null 2>&1; then
    server_py=$candidate
    break
  fi
done
[ -n "$server_py" ] || fail "no Python with 'cryptography' for the loopback price server (set SMOKE_PYTHON)"
"$server_py" "$ROOT/tests/price_server.py" --certs "$tmp/certs" --port-file "$tmp/price-port" \
  >"$tmp/price-server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 100); do [ -s "$tmp/price-port" ] && break; sleep 0.1; done
[ -s "$tmp/price-port" ] || fail "the loopback price server did not start: $(cat "$tmp/price-server.log")"
mirror="https://127.0.0.1:$(cat "$tmp/price-port")"
echo "== smoke test: $exe catalog update --from $mirror"
update_log="$tmp/update.log"
rc=0
(cd "$tmp/work" && run_with_timeout "${launcher[@]}" "$exe" catalog update --from "$mirror" \
  --ca-file "$tmp/certs/ca.pem") >"$update_log" 2>&1 || rc=$?
sed 's/^/   /' "$update_log"
[ "$rc" = 0 ] || fail "catalog update exit code $rc"
before=$(cksum <"$tmp/data/catalog.sqlite")
rc=0
(cd "$tmp/work" && run_with_timeout "${launcher[@]}" "$exe" catalog update --from "$mirror/missing" \
  --ca-file "$tmp/certs/ca.pem") >"$tmp/update-404.log" 2>&1 || rc=$?
sed 's/^/   /' "$tmp/update-404.log"
[ "$rc" = 2 ] || fail "a failed update exited $rc, not 2"
[ "$(cksum <"$tmp/data/catalog.sqlite")" = "$before" ] || fail "a failed update changed the catalog"
if [ "$os" = linux ] || [ "$os" = macos ]; then
  grep -q '^updated [0-9]* API models' "$update_log" || fail "no 'updated ... API models' line"
  grep -q "^API prices: genai-prices data of .* from $mirror/data.json" "$update_log" \
    || fail "the update did not say where the API prices came from"
  grep -q 'HTTP 404' "$tmp/update-404.log" || fail "the failed update did not say why"
fi
[ -s "$tmp/data/prices/manifest.json" ] || fail "the downloaded prices were not stored"
kill "$server_pid" 2>/dev/null || true
update_line="price update from a loopback HTTPS mirror ok, a failed one left the catalog as it was"

inner=$(sed -n 's/^self-test passed in \([0-9.]*\) s.*/\1/p' "$log")
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
startup=$(awk -v w="$wall" -v i="${inner:-0}" 'BEGIN { printf "%.1f", w - i }')
size=$(du -sh "$BUNDLE" | cut -f1)
ok=1
pdf_line=$(printf '%s' "${pdf_line#ok}" | sed 's/^ *//')
echo "== smoke test passed: exit 0, $pdf_line, $shots screenshots, catalog built"
echo "   $update_line"
echo "   bundle size $size ($(find "$BUNDLE" -type f | wc -l | tr -d ' ') files)"
if [ -n "$inner" ]; then
  echo "   first run ${wall} s wall = start-up and exit ${startup} s + self-test ${inner} s (incl. catalog build)"
else
  echo "   first run ${wall} s wall"
fi
