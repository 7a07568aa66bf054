#!/usr/bin/env sh
# Install the LLM Sourcing Advisor bundle for the current user and add it to the desktop menu.
#
#   ./install.sh                 from an unpacked bundle (this script sits next to the executable)
#   packaging/linux/install.sh   from a source checkout, after packaging/build.sh (uses dist/...)
#   install.sh --bundle DIR      any bundle folder
#
# What it puts where (nothing needs root):
#   the bundle             ~/.local/opt/<name>/          (INSTALL_DIR to change)
#   a command              ~/.local/bin/<name>           (BIN_DIR to change)
#   the menu entry         ~/.local/share/applications/<app id>.desktop
#   the icons              ~/.local/share/icons/hicolor/<size>/apps/<app id>.png (+ scalable .svg)
#   AppStream metadata     ~/.local/share/metainfo/<app id>.metainfo.xml
# The app's own data (catalog, settings, drafts) stays where the app keeps it; uninstall.sh
# removes all of the above, and the data too only with --purge.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bundle=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=$2; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$bundle" ]; then
  if [ -d "$here/_internal" ] && [ -d "$here/share/applications" ]; then
    bundle=$here
  else
    bundle=$(find "$here/../../dist" -mindepth 2 -maxdepth 2 -name _internal 2>/dev/null | head -n 1)
    bundle=${bundle%/_internal}
  fi
fi
if [ -z "$bundle" ] || [ ! -d "$bundle/share/applications" ]; then
  echo "no bundle found: build one with packaging/build.sh, or pass --bundle DIR" >&2
  exit 1
fi
bundle=$(cd "$bundle" && pwd)

# The app id and the executable come from the bundle's desktop file (made from advisor/__about__.py).
desktop_src=$(find "$bundle/share/applications" -name '*.desktop' | head -n 1)
app_id=$(basename "$desktop_src" .desktop)
exe_name=$(sed -n 's/^TryExec=//p' "$desktop_src")
[ -x "$bundle/$exe_name" ] || { echo "the bundle has no executable $exe_name" >&2; exit 1; }

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
INSTALL_DIR=${INSTALL_DIR:-$HOME/.local/opt/$exe_name}
BIN_DIR=${BIN_DIR:-$HOME/.local/bin}

# 1. The bundle (copied next to the old one, then swapped in).
if [ "$bundle" != "$INSTALL_DIR" ]; then
  mkdir -p "$(dirname "$INSTALL_DIR")"
  rm -rf "$INSTALL_DIR.new"
  cp -R "$bundle" "$INSTALL_DIR.new"
  rm -rf "$INSTALL_DIR"
  mv "$INSTALL_DIR.new" "$INSTALL_DIR"
fi
exe="$INSTALL_DIR/$exe_name"

# 2. A command on the PATH.
mkdir -p "$BIN_DIR"
ln -sf "$exe" "$BIN_DIR/$exe_name"

# 3. The menu entry, pointing at the installed executable (quoted: the path may hold spaces).
mkdir -p "$data_home/applications"
# Desktop-entry quoting (\\ " ` $ escaped inside "..."), then sed-replacement escaping (\\ & |).
quoted=$(printf '%s' "$exe" | sed 's/[\\"`$]/\\&/g')
for_sed() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }
sed -e "s|^Exec=[^ ]*|Exec=\"$(for_sed "$quoted")\"|" -e "s|^TryExec=.*|TryExec=$(for_sed "$exe")|" \
  "$desktop_src" > "$data_home/applications/$app_id.desktop"
chmod 644 "$data_home/applications/$app_id.desktop"

# 4. Icons and AppStream metadata.
(cd "$INSTALL_DIR/share/icons" && find hicolor -type f) | while read -r icon; do
  mkdir -p "$data_home/icons/$(dirname "$icon")"
  cp "$INSTALL_DIR/share/icons/$icon" "$data_home/icons/$icon"
done
mkdir -p "$data_home/metainfo"
cp "$INSTALL_DIR/share/metainfo/$app_id.metainfo.xml" "$data_home/metainfo/"

# 5. Refresh the caches, where the tools exist.
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$data_home/applications" || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
  gtk-update-icon-cache -q -t -f "$data_home/icons/hicolor" 2>/dev/null || true
fi
touch "$data_home/icons/hicolor" 2>/dev/null || true

echo "installed $app_id"
echo "  bundle:     $INSTALL_DIR"
echo "  command:    $BIN_DIR/$exe_name"
echo "  menu entry: $data_home/applications/$app_id.desktop"
case ":$PATH:" in
  *":$BIN_DIR:"*) ;;
  *) echo "  note: $BIN_DIR is not on your PATH; the menu entry works regardless" ;;
esac
