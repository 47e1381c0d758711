#!/usr/bin/env bash
# Build the compiled CPU kernels for every portable instruction-set level this machine can build
# (x86-64-v3 and -v2; armv8-a or apple-m1) into $DHSTUDIO_NATIVE_BUNDLE (default build/native-bundle),
# where installers/dhstudio.spec picks them up. A bundle cannot build for the user's CPU, so it
# ships these and loads the highest level the CPU runs; without them it falls back to the slower
# PyTorch rasterizer, NumPy tone map and ONNX Runtime renderer, so a failed build warns and does not
# stop the bundle.
# Needs a C/C++ compiler (on macOS the Xcode command line tools).
# Usage: installers/bundle_kernels.sh PYTHON CALLER   (CALLER names the script in the warnings)
set -u
PY="$1"
CALLER="$2"
export DHSTUDIO_NATIVE_BUNDLE="${DHSTUDIO_NATIVE_BUNDLE:-$PWD/build/native-bundle}"
rm -rf "$DHSTUDIO_NATIVE_BUNDLE"
"$PY" -m core.gaussians.render.build_native --level all --out "$DHSTUDIO_NATIVE_BUNDLE" \
  || echo "$CALLER: WARNING: fused CPU rasterizer not built for every level; see above" >&2
"$PY" -m core.media.build_native --level all --out "$DHSTUDIO_NATIVE_BUNDLE" \
  || echo "$CALLER: WARNING: HDR tone-map kernel not built for every level; see above" >&2
"$PY" -m core.lipsync.build_native --level all --out "$DHSTUDIO_NATIVE_BUNDLE" \
  || echo "$CALLER: WARNING: DINet mini kernel not built for every level; see above" >&2
exit 0
