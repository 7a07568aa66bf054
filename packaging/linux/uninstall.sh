#!/usr/bin/env sh
# Remove what install.sh installed for the current user: the bundle, the command, the menu
# entry, the icons and the AppStream metadata.
#
#   uninstall.sh           keep the app's data (catalog, your overrides, settings, drafts)
#   uninstall.sh --purge   remove that data too
#
# Same settings as install.sh: INSTALL_DIR, BIN_DIR, XDG_DATA_HOME.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) purge=1; shift ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

# The app id and executable name: from the bundle's desktop file next to this script, or
# (source checkout) from packaging/linux.
desktop_src=$(find "$here/share/applications" "$here" -maxdepth 1 -name '*.desktop' 2>/dev/null | head -n 1)
[ -n "$desktop_src" ] || { echo "cannot find the app's .desktop file next to $0" >&2; exit 1; }
app_id=$(basename "$desktop_src" .desktop)
exe_name=$(sed -n 's/^TryExec=//p' "$desktop_src")
exe_name=$(basename "$exe_name")

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
INSTALL_DIR=${INSTALL_DIR:-$HOME/.local/opt/$exe_name}
BIN_DIR=${BIN_DIR:-$HOME/.local/bin}

removed=""
remove() {
  for path in "$@"; do
    if [ -e "$path" ] || [ -L "$path" ]; then
      rm -rf "$path"
      removed="$removed
  $path"
    fi
  done
}

# The command only if it is our link (never a file of another install, e.g. a pip one).
link="$BIN_DIR/$exe_name"
if [ -L "$link" ]; then
  case "$(readlink "$link")" in "$INSTALL_DIR"/*) remove "$link" ;; esac
fi
remove "$data_home/applications/$app_id.desktop" "$data_home/metainfo/$app_id.metainfo.xml"
for icon in "$data_home"/icons/hicolor/*/apps/"$app_id".png "$data_home"/icons/hicolor/*/apps/"$app_id".svg; do
  remove "$icon"
done
# The bundle last: this script may be running from it (sh has already read it).
case "$INSTALL_DIR" in
  "$HOME"/* | /opt/* | /tmp/*) remove "$INSTALL_DIR" ;;
  *) echo "not removing $INSTALL_DIR: outside the home folder" >&2 ;;
esac
if [ "$purge" = 1 ]; then
  # platformdirs' folders of the app (advisor/paths.py: user_data_dir, user_config_dir).
  remove "$data_home/$exe_name" "$config_home/$exe_name"
fi

if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$data_home/applications" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$data_home/icons/hicolor" ]; then
  gtk-update-icon-cache -q -t -f "$data_home/icons/hicolor" 2>/dev/null || true
fi

if [ -n "$removed" ]; then
  echo "removed:$removed"
else
  echo "nothing to remove: $app_id is not installed for this user"
fi
[ "$purge" = 1 ] || echo "kept the app's data (catalog, settings): run with --purge to remove it"
