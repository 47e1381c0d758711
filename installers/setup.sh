#!/usr/bin/env bash
# Set up Digital Human Studio on a fresh Debian/Ubuntu machine (or in an active venv).
#   bash installers/setup.sh        install the studio with its dev extras (tests, ruff)
# System libraries (PortAudio for the microphone, the X/EGL libraries Qt needs, Xvfb for the
# real-window test) come from apt-get when we are root or have sudo; otherwise we say what is
# missing and go on, because everything but the microphone and the Xvfb test works without them.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
APT_PACKAGES="libportaudio2 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
libxcb-render-util0 libxcb-image0 libpulse0 xvfb xauth pulseaudio pulseaudio-utils \
espeak-ng"  # espeak-ng: synthetic speech for building the audio-to-mouth prior
# the web export: Node.js + npm install onnxruntime-web into web/; Chromium runs the page's test
command -v node >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES nodejs"
command -v npm >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES npm"
command -v chromium >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES chromium"
command -v chromedriver >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES chromium-driver"

APT_PACKAGES="$APT_PACKAGES shellcheck desktop-file-utils"  # tests/installers lint the scripts, desktop entry
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "setup: installing system libraries with apt-get"
    $SUDO apt-get update -qq || echo "setup: apt-get update failed; trying the install anyway" >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $APT_PACKAGES >/dev/null \
      || echo "setup: WARNING: apt-get could not install: $APT_PACKAGES" >&2
  else
    echo "setup: not root and no sudo: install these yourself for the microphone and Qt: $APT_PACKAGES" >&2
  fi
fi

# torch first and pinned: an unpinned torch would pull several GB of CUDA packages.
"$PY" -m pip install --quiet "torch==2.13.0"
"$PY" -m pip install --quiet -e ".[dev]"
"$PY" -m core.gaussians.render.build_native || echo "setup: WARNING: fused CPU rasterizer not built; the PyTorch one is used" >&2
"$PY" -m core.media.build_native || echo "setup: WARNING: fused HDR tone-map kernel not built; the NumPy one is used" >&2
"$PY" -m core.lipsync.build_native || echo "setup: WARNING: fused DINet mini kernel not built; ONNX Runtime renders instead" >&2
# onnxruntime-web for `dhstudio export RUN --format web` (copied into each export: no CDN)
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix web --no-audit --no-fund --loglevel=error || echo "setup: WARNING: npm ci in web/ failed; --format web needs it" >&2
else
  echo "setup: npm not found: install Node.js + npm and run 'npm ci --prefix web' for --format web" >&2
fi
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
echo "setup: done ($("$PY" -m studio.cli.main --version))"
