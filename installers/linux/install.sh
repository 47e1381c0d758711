#!/usr/bin/env bash
# Install the one-folder build for this user (no root): the folder, a menu entry, the icon and
# `dhstudio`/`dhstudio-gui` on PATH. Run it from the unpacked folder:
#   ./install.sh [PREFIX]        PREFIX defaults to ~/.local
#   ./install.sh --uninstall [PREFIX]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
UNINSTALL=0
[ "${1:-}" = "--uninstall" ] && { UNINSTALL=1; shift; }
PREFIX="${1:-$HOME/.local}"
DEST="$PREFIX/opt/dhstudio"
APPS="$PREFIX/share/applications"
ICONS="$PREFIX/share/icons/hicolor/256x256/apps"
BIN="$PREFIX/bin"

if [ "$UNINSTALL" = 1 ]; then
  rm -rf "$DEST" "$APPS/dhstudio.desktop" "$ICONS/dhstudio.png"
  rm -f "$BIN/dhstudio" "$BIN/dhstudio-gui"
  echo "install: removed Digital Human Studio from $PREFIX"
  exit 0
fi

if [ ! -x "$HERE/dhstudio" ] || [ ! -x "$HERE/dhstudio-gui" ]; then
  echo "install: run me from the built dhstudio folder" >&2
  exit 2
fi
mkdir -p "$DEST" "$APPS" "$ICONS" "$BIN"
if [ "$HERE" != "$DEST" ]; then
  rm -rf "$DEST.new" && cp -a "$HERE" "$DEST.new" && rm -rf "$DEST" && mv "$DEST.new" "$DEST"
fi
ln -sf "$DEST/dhstudio" "$BIN/dhstudio"
ln -sf "$DEST/dhstudio-gui" "$BIN/dhstudio-gui"
install -m 0644 "$DEST/dhstudio.png" "$ICONS/dhstudio.png"
# the menu entry runs the installed program by its full path (PATH may not hold PREFIX/bin)
sed "s|^Exec=dhstudio-gui|Exec=$DEST/dhstudio-gui|" "$DEST/dhstudio.desktop" > "$APPS/dhstudio.desktop.tmp"
mv "$APPS/dhstudio.desktop.tmp" "$APPS/dhstudio.desktop"
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$APPS" || echo "install: update-desktop-database failed; the entry appears at next login" >&2
fi
echo "install: Digital Human Studio in $DEST; menu entry $APPS/dhstudio.desktop; commands in $BIN"
