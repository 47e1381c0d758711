#!/usr/bin/env bash
# Build Digital Human Studio as a one-folder Linux application and smoke-check it.
#
#   bash installers/build_linux.sh [--flavour cpu|gpu] [--venv DIR] [--dist DIR] [--tar] [--no-smoke]
#
#   --flavour   cpu: CPU torch wheel + onnxruntime (small; runs everywhere)
#               gpu: CUDA torch + onnxruntime-gpu (needs an NVIDIA driver on the user's machine)
#               default: whatever the Python environment has (the build says which in build_info.json)
#   --venv DIR  make a fresh virtual environment in DIR and install the flavour's packages into it
#               (torch==2.13.0 pinned; for cpu set TORCH_INDEX_URL to PyTorch's CPU wheel index when
#               your package index serves the CUDA build by default). Without --venv the current
#               environment is used as it is, and nothing is installed into it.
#   --dist DIR  where dist/dhstudio/ goes (default: dist)
#   --tar       also pack DIST/dhstudio-VERSION-linux-FLAVOUR.tar.gz
#   --no-smoke  skip installers/smoke_check.sh
#
# The compiled CPU kernels are built first for portable instruction-set levels into
# build/native-bundle (a C/C++ compiler is needed; the spec ships them in _internal/native/).
# Output: DIST/dhstudio/{dhstudio,dhstudio-gui,_internal/,install.sh,dhstudio.desktop,dhstudio.png}.
# Users install it with DIST/dhstudio/install.sh (menu entry, icon, `dhstudio` on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

FLAVOUR=""
VENV=""
DIST="dist"
TAR=0
SMOKE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --flavour) FLAVOUR="$2"; shift 2 ;;
    --venv) VENV="$2"; shift 2 ;;
    --dist) DIST="$2"; shift 2 ;;
    --tar) TAR=1; shift ;;
    --no-smoke) SMOKE=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build_linux: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$FLAVOUR" in ""|cpu|gpu) ;; *) echo "build_linux: --flavour must be cpu or gpu (got $FLAVOUR)" >&2; exit 2 ;; esac

PY=${PYTHON:-python3}
if [ -n "$VENV" ]; then
  [ -n "$FLAVOUR" ] || { echo "build_linux: --venv needs --flavour cpu|gpu" >&2; exit 2; }
  "$PY" -m venv "$VENV"
  PY="$VENV/bin/python"
  "$PY" -m pip install --quiet --upgrade pip
  # torch first and pinned: an unpinned torch would resolve to whatever the index serves
  if [ "$FLAVOUR" = cpu ] && [ -n "${TORCH_INDEX_URL:-}" ]; then
    "$PY" -m pip install --quiet "torch==2.13.0" --index-url "$TORCH_INDEX_URL"
  else
    "$PY" -m pip install --quiet "torch==2.13.0"
  fi
  "$PY" -m pip install --quiet ".[build]"
  if [ "$FLAVOUR" = cpu ]; then  # same `onnxruntime` module, CPU provider only, a tenth of the size
    "$PY" -m pip uninstall --quiet -y onnxruntime-gpu
    "$PY" -m pip install --quiet "onnxruntime>=1.18"
  fi
fi

"$PY" -c "import PyInstaller" 2>/dev/null || {
  echo "build_linux: PyInstaller is missing: $PY -m pip install '.[build]' (or pass --venv DIR --flavour cpu|gpu)" >&2
  exit 2
}
START=$(date +%s)
# The compiled CPU kernels for the portable instruction-set levels (installers/bundle_kernels.sh).
export DHSTUDIO_NATIVE_BUNDLE="$PWD/build/native-bundle"
bash installers/bundle_kernels.sh "$PY" build_linux
DHSTUDIO_FLAVOUR="$FLAVOUR" "$PY" -m PyInstaller installers/dhstudio.spec --noconfirm --clean \
  --log-level WARN --distpath "$DIST" --workpath build/pyinstaller
APP="$DIST/dhstudio"
install -m 0755 installers/linux/install.sh "$APP/install.sh"
install -m 0644 installers/linux/dhstudio.desktop "$APP/dhstudio.desktop"
install -m 0644 resources/icons/dhstudio.png "$APP/dhstudio.png"
SECONDS_TAKEN=$(( $(date +%s) - START ))
SIZE=$(du -sh "$APP" | cut -f1)
BUILT_FLAVOUR=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['flavour'])" "$APP/_internal/build_info.json")
echo "build_linux: $APP ($BUILT_FLAVOUR flavour): $SIZE in ${SECONDS_TAKEN} s"

if [ "$TAR" = 1 ]; then
  VERSION=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['version'])" "$APP/_internal/build_info.json")
  TARBALL="$DIST/dhstudio-$VERSION-linux-$(uname -m)-$BUILT_FLAVOUR.tar.gz"
  tar -C "$DIST" -czf "$TARBALL.tmp" dhstudio && mv "$TARBALL.tmp" "$TARBALL"
  echo "build_linux: $TARBALL ($(du -sh "$TARBALL" | cut -f1))"
fi

if [ "$SMOKE" = 1 ]; then
  bash installers/smoke_check.sh "$APP"
fi
