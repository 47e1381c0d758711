"""Audio sources for the live engine: the microphone, or a file played at real-time pace.

Every source writes mono float32 at its native rate into an `AudioRingBuffer`, stamping
each block with its capture time; the engine resamples to 16 kHz. A file is read by the one
audio reader (`core.media.audio`, any format `dhstudio render --audio` takes) at 16 kHz.
The microphone callback only copies (no locks, no allocation beyond sounddevice's own); the
file and generated sources run a pacing thread that releases one block per block period, as a
device would, and stamps when each block really arrived (on a busy CPU its thread wakes late; that
lateness counts in the engine's `audio_block` stage).

What a recording keeps is the input as it came (:meth:`AudioSource.native`): the microphone's
samples at the device's rate, a file's own rate and channels (48 kHz stereo stays 48 kHz stereo,
though the ring and the model see its 16 kHz mono mix).

A source reports trouble instead of raising in its own thread: `check()` re-raises a
stored error in the engine's thread (e.g. a device that disappeared), `finished` says
no more audio will come, `underruns` counts blocks that arrived later than their time.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.media.audio import NativeAudio
from core.realtime.clock import Clock
from core.realtime.ring_buffer import AudioRingBuffer

PORTAUDIO_HINT = Text(
    "the PortAudio library is missing; install it with `sudo apt-get install libportaudio2` "
    "(Debian/Ubuntu) or use --audio-file WAV instead of --mic"
)


class SourceError(RuntimeError):
    """The audio input failed while running (device unplugged, stream aborted)."""


class AudioSource(ABC):
    sample_rate: int  # of the mono samples it writes into the ring
    name: str = "source"

    def __init__(self) -> None:
        self.underruns = 0
        self.max_late_ms = 0.0  # latest delivery seen, past a block's due time (paced sources)
        self._error: BaseException | None = None
        self._finished = False
        # the engine's priority request, made by a pacing thread of the source's own (returns what it got)
        self.thread_priority: Callable[[], str] | None = None
        self.priority = "left as it is"  # what that request got (a device's callback thread: its driver's)

    @abstractmethod
    def start(self, ring: AudioRingBuffer, clock: Clock) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @property
    def finished(self) -> bool:
        """True once every sample this source will ever give has been written."""
        return self._finished

    @property
    def native_format(self) -> tuple[int, int]:
        """(rate, channels) of :meth:`native`: the ring's own by default."""
        return self.sample_rate, 1

    def native_index(self, ring_index: float) -> int:
        """The native sample that ring sample ``ring_index`` (at :attr:`sample_rate`) starts at."""
        return int(round(ring_index * self.native_format[0] / self.sample_rate))

    def native(self, start: int, stop: int, ring_samples: np.ndarray) -> np.ndarray:
        """The input as it came for ring samples [start, stop) (``ring_samples``, their mono copy).

        [n, channels] float32 at :attr:`native_format`'s rate, covering native samples
        ``[native_index(start), native_index(stop))``; consecutive ranges tile without a gap.
        By default the ring's samples themselves (a microphone is captured at its own rate).
        """
        return ring_samples.reshape(-1, 1)

    def check(self) -> None:
        """Raise (in the caller's thread) the error the source hit, if any."""
        if self._error is not None:
            err = self._error
            if isinstance(err, (SourceError, BadInput)):
                raise err
            raise SourceError(
                Text(
                    "audio source {name!r} failed: {error_type}: {err}",
                    name=self.name,
                    error_type=type(err).__name__,
                    err=err,
                )
            ) from err


class PacedSource(AudioSource):
    """Releases pre-made samples block by block at real-time pace from its own thread.

    Capture time of a block = its scheduled time (when a device would have delivered it);
    a block written more than one period late counts as an underrun (the engine starved).
    With `realtime=False` blocks go out as fast as the ring has room for them (no sample is
    ever overwritten), stamped with the time they were written: a whole file through the
    engine as quickly as it can render.
    """

    def __init__(
        self,
        samples: np.ndarray,
        sample_rate: int,
        block_ms: float = 10.0,
        name: str = "file",
        realtime: bool = True,
        original: NativeAudio | None = None,
    ) -> None:
        super().__init__()
        self.samples = np.asarray(samples, np.float32).reshape(-1)
        self.sample_rate = int(sample_rate)
        self.original = original  # the file as it is, for recordings (None: the samples)
        self.block = max(1, int(round(block_ms * self.sample_rate / 1000)))
        self.name = name
        self.realtime = realtime
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.sample_rate

    @property
    def native_format(self) -> tuple[int, int]:
        o = self.original
        return (o.rate, o.channels) if o is not None else (self.sample_rate, 1)

    def native(self, start: int, stop: int, ring_samples: np.ndarray) -> np.ndarray:
        if self.original is None:
            return ring_samples.reshape(-1, 1)
        return self.original.samples[self.native_index(start) : self.native_index(stop)]

    def next_block(self, start: int) -> np.ndarray:
        """Samples [start, start + block); override to simulate a failing device."""
        return self.samples[start : start + self.block]

    def start(self, ring: AudioRingBuffer, clock: Clock) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(ring, clock), name=f"source-{self.name}", daemon=True
        )
        self._thread.start()

    def _run(self, ring: AudioRingBuffer, clock: Clock) -> None:
        if self.thread_priority is not None:  # the pacing thread stands in for a device's audio thread
            self.priority = self.thread_priority()
        t0 = clock.now()
        pos = 0
        period = self.block / self.sample_rate
        try:
            while pos < self.samples.shape[0] and not self._stop.is_set():
                chunk = self.next_block(pos)
                if not self.realtime:
                    while ring.available() + chunk.shape[0] > ring.capacity and not self._stop.is_set():
                        self._stop.wait(0.001)
                    ring.write(chunk, clock.now())
                    pos += chunk.shape[0]
                    continue
                due = t0 + (pos + chunk.shape[0]) / self.sample_rate
                clock.sleep_until(due)
                late = clock.now() - due
                self.max_late_ms = max(self.max_late_ms, late * 1e3)
                if late > 2 * period:  # a device with a two-block buffer would have run dry
                    self.underruns += 1
                ring.write(chunk, due, t_arrived=clock.now())  # its lateness counts in audio_block
                pos += chunk.shape[0]
        except BaseException as exc:
            self._error = exc
        finally:
            self._finished = True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)


def file_source(
    path: Path | str, block_ms: float = 10.0, seconds: float | None = None, realtime: bool = True
) -> PacedSource:
    """A file read by the one audio reader (`core.media.audio`, as `dhstudio render` reads it):
    16 kHz mono into the ring, the file's own rate and channels for recordings."""
    from core.media.audio import AUDIO_RATE, read_audio, read_audio_native

    samples = read_audio(path)
    if seconds is not None:
        samples = samples[: int(round(seconds * AUDIO_RATE))]
    if samples.shape[0] == 0:
        raise BadInput(Text("{path} holds no audio samples", path=path))
    original = read_audio_native(path)
    return PacedSource(
        samples, AUDIO_RATE, block_ms, name=Path(path).name, realtime=realtime, original=original
    )


# ---- microphone ----------------------------------------------------------------------------


def import_sounddevice():
    """sounddevice, or BadInput naming the missing PortAudio library (it raises OSError at import)."""
    try:
        import sounddevice
    except OSError as exc:
        raise BadInput(
            Text(
                "cannot open audio devices: {portaudio_hint} ({exc})", portaudio_hint=PORTAUDIO_HINT, exc=exc
            )
        ) from None
    except ImportError:
        raise BadInput(
            Text("the `sounddevice` package is not installed; `pip install sounddevice`")
        ) from None
    return sounddevice


def list_input_devices(rescan: bool = False) -> list[dict]:
    """Input devices; `rescan` re-initialises PortAudio, whose list is fixed when it starts, so a
    microphone plugged in (or a sound server started) since then shows up. Only with no stream open."""
    sd = import_sounddevice()
    if rescan:
        sd._terminate()  # sounddevice's documented way to refresh the device list
        sd._initialize()
    return [dict(d, index=i) for i, d in enumerate(sd.query_devices()) if d.get("max_input_channels", 0) > 0]


def resolve_input_device(device: int | str | None) -> tuple[int | str | None, int]:
    """(device for sounddevice, its native sample rate); BadInput when there is no such input."""
    sd = import_sounddevice()
    try:
        info = sd.query_devices(device, kind="input")
    except (ValueError, sd.PortAudioError) as exc:
        try:
            names = ", ".join(f"{d['index']}: {d['name']}" for d in list_input_devices()) or "none found"
        except (ValueError, sd.PortAudioError):
            names = "none found"
        which = (
            Text("no default input device")
            if device is None
            else Text("no input device {device!r}", device=device)
        )
        raise BadInput(
            Text(
                "{which} ({exc}); available inputs: {names}. Plug in a microphone or pass "
                "--input-device, or use --audio-file WAV",
                which=which,
                exc=exc,
                names=names,
            )
        ) from None
    return device, int(round(float(info["default_samplerate"])))


class MicSource(AudioSource):
    """A sounddevice input stream at the device's native rate; the callback only copies.

    A device that vanishes either raises from PortAudio (`finished_callback` with the stream
    aborted) or simply stops calling back; `check()` turns both into a SourceError, the
    second after `stall_s` without a block (`first_block_s` for the first one: a sound server or
    a Bluetooth headset can take seconds to deliver it).
    """

    def __init__(
        self,
        device: int | str | None = None,
        block_ms: float = 10.0,
        stall_s: float = 1.0,
        first_block_s: float = 5.0,
    ) -> None:
        super().__init__()
        self.device, self.sample_rate = resolve_input_device(device)
        self.block = max(1, int(round(block_ms * self.sample_rate / 1000)))
        self.stall_s = stall_s
        self.first_block_s = first_block_s
        self._blocks = 0
        self.name = f"mic:{device if device is not None else 'default'}"
        self.overflows = 0
        self._stream = None
        self._clock: Clock | None = None
        self._last_callback = 0.0
        self._stopping = False

    def start(self, ring: AudioRingBuffer, clock: Clock) -> None:
        sd = import_sounddevice()
        self._clock = clock
        self._last_callback = clock.now()

        def callback(indata, frames, time_info, status) -> None:  # audio thread: copy only
            if status.input_overflow:
                self.overflows += 1
            if status.input_underflow:
                self.underruns += 1
            now = clock.now()
            ring.write(indata[:, 0] if indata.shape[1] == 1 else indata.mean(axis=1), now)
            self._last_callback = now
            self._blocks += 1

        def finished() -> None:
            if not self._stopping and self._error is None:
                self._error = SourceError(
                    Text("audio input {name} stopped (device disconnected?)", name=self.name)
                )
            self._finished = True

        try:
            self._stream = sd.InputStream(
                samplerate=self.sample_rate,
                blocksize=self.block,
                device=self.device,
                channels=1,
                dtype="float32",
                callback=callback,
                finished_callback=finished,
            )
            self._stream.start()
            self._last_callback = clock.now()  # opening can take a while: the stall clock starts here
        except sd.PortAudioError as exc:
            raise BadInput(
                Text(
                    "cannot open audio input {name}: {exc}; check the device or pass another --input-device",
                    name=self.name,
                    exc=exc,
                )
            ) from None

    def check(self) -> None:
        super().check()
        running = self._clock is not None and self._stream is not None and not self._stopping
        limit = self.stall_s if self._blocks else self.first_block_s
        if running and self._clock.now() - self._last_callback > limit:
            self._error = SourceError(
                Text(
                    "audio input {name} delivered nothing for {limit:.1f} s (device disconnected?)",
                    name=self.name,
                    limit=limit,
                )
            )
            super().check()

    def stop(self) -> None:
        self._stopping = True
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:
                pass
            self._stream = None
