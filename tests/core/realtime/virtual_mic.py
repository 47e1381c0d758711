"""A virtual microphone for tests: a private PulseAudio daemon with a null sink whose monitor is the
default input, so PortAudio's `pulse` device records whatever `play()` sends into the sink.

Skips (with the reason) where the machine cannot: no `pulseaudio`/`pactl`/`paplay` (install with
`apt-get install -y pulseaudio pulseaudio-utils`), no PortAudio, or a daemon that does not start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class VirtualMic:
    server: str  # PULSE_SERVER value
    device: str  # the PortAudio input device name that records the sink's monitor

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "PULSE_SERVER": self.server}

    def play(self, wav: Path) -> subprocess.Popen:
        """Start feeding `wav` into the virtual microphone (returns at once)."""
        return subprocess.Popen(["paplay", "-d", "vmic", str(wav)], env=self.env)


@contextmanager
def virtual_microphone(folder: Path) -> Iterator[VirtualMic]:
    missing = [t for t in ("pulseaudio", "pactl", "paplay") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"no virtual microphone: {', '.join(missing)} not installed (apt-get install pulseaudio)")
    sock = folder / "pulse.sock"
    server = f"unix:{sock}"
    env = {**os.environ, "PULSE_SERVER": server, "PULSE_RUNTIME_PATH": str(folder)}
    cmd = [
        "pulseaudio",
        "-n",
        "--daemonize=yes",
        "--exit-idle-time=-1",
        "--disallow-exit=no",
        f"--log-target=file:{folder / 'pulse.log'}",
        "-L",
        f"module-native-protocol-unix auth-anonymous=1 socket={sock}",
        "-L",
        "module-null-sink sink_name=vmic sink_properties=device.description=VirtualMic",
    ]
    subprocess.run(cmd, env=env, capture_output=True, timeout=30)
    for _ in range(50):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    else:
        log = (
            (folder / "pulse.log").read_text(errors="replace")[-500:]
            if (folder / "pulse.log").exists()
            else ""
        )
        pytest.skip(f"PulseAudio did not start here: {log}")
    try:
        subprocess.run(["pactl", "set-default-source", "vmic.monitor"], env=env, check=True, timeout=10)
        yield VirtualMic(server, "pulse")
    finally:
        subprocess.run(["pactl", "exit"], env=env, capture_output=True, timeout=10)
