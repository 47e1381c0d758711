"""espeak-ng through its C library: speech audio plus the IPA phoneme sounding at each millisecond.

The command line only prints phoneme timings for MBROLA voices, so the library is driven directly
(ctypes, synchronous mode): its synthesis callback hands over audio buffers and phoneme events
whose `audio_position` (ms) marks where each phoneme starts. espeak-ng is a Debian package
(`apt-get install espeak-ng`, in installers/setup.sh); it is needed only to build the prior, never
to use it.

Example:
    >>> tts = Espeak()
    >>> utt = tts.speak("hello", voice="en+m3", rate=170, pitch=50)
    >>> utt.audio.shape, utt.phones[:2]     # 22050 Hz int16 -> float32, [(ipa, start_s), ...]
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass

import numpy as np

from core.jobs.errors import BadInput
from core.jobs.message import Text

AUDIO_OUTPUT_SYNCHRONOUS = 0x02
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_PHONEME_IPA = 0x0002
CHARS_UTF8 = 1
POS_CHARACTER = 1
EVENT_LIST_TERMINATED, EVENT_PHONEME = 0, 7
PARAM_RATE, PARAM_VOLUME, PARAM_PITCH, PARAM_RANGE = 1, 2, 3, 4


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class Utterance:
    audio: np.ndarray  # [S] float32 in [-1, 1] at `sample_rate`
    sample_rate: int
    phones: list[tuple[str, float]]  # (IPA phoneme, start seconds); a phone lasts until the next starts


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
    try:
        return ctypes.CDLL(name)
    except OSError as exc:
        raise BadInput(
            Text(
                "espeak-ng is not installed; building the audio-to-mouth prior needs it. Install "
                "it with `apt-get install espeak-ng` (installers/setup.sh does)."
            )
        ) from exc


class Espeak:
    """One initialised espeak-ng (the library is process-global: make one and reuse it)."""

    _instance_rate: int | None = None

    def __init__(self) -> None:
        self.lib = _library()
        self.lib.espeak_Initialize.restype = ctypes.c_int
        rate = self.lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 500, None, INITIALIZE_PHONEME_EVENTS | INITIALIZE_PHONEME_IPA
        )
        if rate <= 0:
            raise BadInput(Text("espeak-ng failed to initialise (is espeak-ng-data installed?)"))
        self.sample_rate = int(rate)
        self._chunks: list[np.ndarray] = []
        self._phones: list[tuple[str, float]] = []
        self._cb = _CALLBACK(self._on_synth)  # kept alive as long as self
        self.lib.espeak_SetSynthCallback(self._cb)
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]

    def _on_synth(self, wav, n, events) -> int:
        if n > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).astype(np.float32) / 32768.0)
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            ev = events[i]
            if ev.type == EVENT_PHONEME:
                ipa = bytes(ev.id.string).split(b"\0", 1)[0].decode("utf-8", "ignore")
                self._phones.append((ipa, ev.audio_position / 1000.0))
            i += 1
        return 0

    def speak(
        self, text: str, voice: str, rate: int = 175, pitch: int = 50, pitch_range: int = 50
    ) -> Utterance:
        """Synthesize `text` with `voice` ("en", "fr+f2", "cmn-latn-pinyin+m1", ...)."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise BadInput(
                Text("espeak-ng has no voice {voice!r}; list them with `espeak-ng --voices`", voice=voice)
            )
        for param, value in ((PARAM_RATE, rate), (PARAM_PITCH, pitch), (PARAM_RANGE, pitch_range)):
            self.lib.espeak_SetParameter(param, int(value), 0)
        self._chunks, self._phones = [], []
        data = text.encode("utf-8") + b"\0"
        self.lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        return Utterance(audio, self.sample_rate, list(self._phones))
