#!/usr/bin/env bash
# Build Digital Human Studio for macOS: a one-folder application and a .app bundle, then smoke-check it.
#
#   bash installers/build_macos.sh [--venv DIR] [--dist DIR] [--dmg] [--no-smoke]
#
#   --venv DIR  make a fresh virtual environment in DIR and install the studio into it (torch==2.13.0
#               pinned; on macOS it is the CPU/MPS build and the dependency is plain onnxruntime).
#               Without --venv the current environment is used as it is; nothing is installed.
#   --dist DIR  where the output goes (default: dist)
#   --dmg       also make DIST/dhstudio-VERSION-macos-ARCH.dmg holding the .app
#   --no-smoke  skip installers/smoke_check.sh
#
# macOS builds are the CPU flavour: PyTorch has no CUDA on macOS. Set CODESIGN_IDENTITY to sign the
# .app with your Developer ID (hardened runtime); unsigned, users open it with right-click > Open once.
# Output: DIST/dhstudio/{dhstudio,dhstudio-gui,_internal/} and "DIST/Digital Human Studio.app".
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=""
DIST="dist"
DMG=0
SMOKE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) VENV="$2"; shift 2 ;;
    --dist) DIST="$2"; shift 2 ;;
    --dmg) DMG=1; shift ;;
    --no-smoke) SMOKE=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build_macos: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(uname -s)" = Darwin ] || { echo "build_macos: run me on macOS (Linux: installers/build_linux.sh)" >&2; exit 2; }

PY=${PYTHON:-python3}
if [ -n "$VENV" ]; then
  "$PY" -m venv "$VENV"
  PY="$VENV/bin/python"
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet "torch==2.13.0"  # pinned first, as everywhere
  "$PY" -m pip install --quiet ".[build]"
fi

"$PY" -c "import PyInstaller" 2>/dev/null || {
  echo "build_macos: PyInstaller is missing: $PY -m pip install '.[build]' (or pass --venv DIR)" >&2
  exit 2
}

START=$(date +%s)
# The compiled CPU kernels for the portable instruction-set levels (installers/bundle_kernels.sh).
export DHSTUDIO_NATIVE_BUNDLE="$PWD/build/native-bundle"
bash installers/bundle_kernels.sh "$PY" build_macos
DHSTUDIO_FLAVOUR=cpu "$PY" -m PyInstaller installers/dhstudio.spec --noconfirm --clean \
  --log-level WARN --distpath "$DIST" --workpath build/pyinstaller
APP="$DIST/dhstudio"
BUNDLE="$DIST/Digital Human Studio.app"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --timestamp --sign "$CODESIGN_IDENTITY" "$BUNDLE"
  codesign --verify --deep --strict "$BUNDLE"
fi
SECONDS_TAKEN=$(( $(date +%s) - START ))
echo "build_macos: $APP and $BUNDLE: $(du -sh "$APP" | cut -f1) in ${SECONDS_TAKEN} s"

if [ "$DMG" = 1 ]; then
  VERSION=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['version'])" "$APP/_internal/build_info.json")
  IMAGE="$DIST/dhstudio-$VERSION-macos-$(uname -m).dmg"
  rm -f "$IMAGE"
  hdiutil create -volname "Digital Human Studio" -srcfolder "$BUNDLE" -ov -format UDZO "$IMAGE"
  echo "build_macos: $IMAGE ($(du -sh "$IMAGE" | cut -f1))"
fi

if [ "$SMOKE" = 1 ]; then
  bash installers/smoke_check.sh "$APP"
fi
