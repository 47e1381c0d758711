#!/usr/bin/env bash
# Smoke-check a built one-folder application (Linux and macOS; build_windows.ps1 has its own).
#
#   bash installers/smoke_check.sh dist/dhstudio
#
# Runs the built programs, not the source tree: from an empty folder, with a clean environment
# (no PYTHONPATH, no virtual environment, a fresh HOME), so anything missing from the folder fails.
#   1. dhstudio --version            prints "dhstudio VERSION"
#   2. dhstudio doctor               exits 0 with PyTorch, MediaPipe's face models and ONNX Runtime ok
#                                    (and the bundled kernels loaded, when _internal/native/ has them)
#   3. dhstudio demo --stages 2      generates the demo clip and prepares it (MediaPipe face mesh:
#                                    proves the face models were bundled)
#   4. dhstudio-gui and dhstudio gui open the main window offscreen and quit (DHSTUDIO_QUIT_AFTER_MS)
# Exit 0 when all pass; otherwise 1 with the failing step's output.
set -uo pipefail

APP="$(cd "${1:?usage: smoke_check.sh APP_FOLDER}" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dhstudio-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
FAILED=0
# a time limit per step: coreutils timeout (gtimeout on macOS with Homebrew coreutils), else none
TIMEOUT=$(command -v timeout || command -v gtimeout || true)

run_clean() {  # run a built program with a clean environment from the empty work folder
  (cd "$WORK" && env -i HOME="$WORK/home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
    QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" "$@")
}

step() {  # step NAME TIMEOUT_S PATTERN... -- COMMAND...   (exit 0 and every pattern matches a line)
  local name="$1" limit="$2" patterns=() start out rc pattern missing=""
  shift 2
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  start=$(date +%s)
  if [ -n "$TIMEOUT" ]; then
    out=$(run_clean "$TIMEOUT" "$limit" "$@" 2>&1)
  else
    out=$(run_clean "$@" 2>&1)
  fi
  rc=$?
  for pattern in "${patterns[@]}"; do
    grep -Eq "$pattern" <<<"$out" || missing="$missing /$pattern/"
  done
  if [ $rc -eq 0 ] && [ -z "$missing" ]; then
    echo "smoke: ok   $name ($(( $(date +%s) - start )) s)"
  else
    echo "smoke: FAIL $name (exit $rc; no line matching$missing):" >&2
    tail -n 40 <<<"$out" >&2
    FAILED=1
  fi
}

step "--version" 120 "^dhstudio [0-9]" -- "$APP/dhstudio" --version
# a bundle that ships compiled kernels (_internal/native/) must load them (fresh HOME: no own build)
KERNELS=$(ls "$APP"/_internal/native/ 2>/dev/null || true)
DOCTOR_KERNELS=()
grep -q dhs_rasterize_ <<<"$KERNELS" && DOCTOR_KERNELS+=("^CPU Gaussian rasterizer +ok +fused C\+\+ rasterizer, bundled ")
grep -q dhs_tonemap_ <<<"$KERNELS" && DOCTOR_KERNELS+=("^HDR tone-map kernel +ok +bundled ")
step "doctor" 300 "^PyTorch +ok" "^MediaPipe face mesh +ok" "^ONNX Runtime +ok" ${DOCTOR_KERNELS[@]+"${DOCTOR_KERNELS[@]}"} -- \
  "$APP/dhstudio" doctor
step "demo, stages 1-2 (generate, prepare)" 900 "prepared clip: " -- \
  "$APP/dhstudio" demo --stages 2 --device cpu --out "$WORK/demo"
if [ -f "$WORK/demo/prepared/demo/manifest.json" ]; then
  echo "smoke: ok   prepared clip written ($WORK/demo/prepared/demo/manifest.json)"
else
  echo "smoke: FAIL the demo wrote no prepared/demo/manifest.json" >&2
  FAILED=1
fi
step "dhstudio-gui window (offscreen)" 300 "window shown: 'Digital Human Studio' [0-9]+x[0-9]+" -- \
  env DHSTUDIO_QUIT_AFTER_MS=3000 "$APP/dhstudio-gui"
step "dhstudio gui window (offscreen)" 300 "window shown: 'Digital Human Studio' [0-9]+x[0-9]+" -- \
  env DHSTUDIO_QUIT_AFTER_MS=3000 "$APP/dhstudio" gui

if [ $FAILED -ne 0 ]; then
  echo "smoke: FAILED ($APP)" >&2
  exit 1
fi
echo "smoke: passed ($APP)"
