// Speech-level matching of core/audio/level.py, the same arithmetic: a voice louder or quieter
// than the training clip's reaches the audio model at the clip's level.
//
// A frame's level is the log of its bins' mean power per bandwidth; the noise floor is the 10th
// percentile of the last 2 s of frames; a speech frame is at least 10 dB above that floor (and within 40 dB of the
// target); the speech level is the 90th percentile of the last 10 s worth of speech frames, once
// 1 s of them has been heard. Each new frame is shifted by the target minus that level, at most
// 30 dB either way, the shift decided by the frames before it.

const LOG_PER_DB = Math.log(10) / 10;
const PERCENTILE = 90;
const FLOOR_PERCENTILE = 10;
const WINDOW_S = 10;
const FLOOR_WINDOW_S = 2;
const MIN_S = 1;
const SPEECH_DB = 10;
const GATE_DB = 40;
const MAX_DB = 30;

// numpy.percentile's default (linear) interpolation
function percentile(values, q) {
  const s = Float64Array.from(values).sort();
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

// Each mel filter's bandwidth relative to their mean (kaldi's layout: numBins + 2 points even on
// the mel scale from 20 Hz to Nyquist), as core/audio/level.bin_widths.
export function binWidths(numBins, rate = 16000, lowHz = 20) {
  const mel = (hz) => 1127 * Math.log1p(hz / 700);
  const lo = mel(lowHz);
  const hi = mel(rate / 2);
  const hz = [];
  for (let k = 0; k < numBins + 2; k++) hz.push(700 * Math.expm1((lo + ((hi - lo) * k) / (numBins + 1)) / 1127));
  const widths = [];
  for (let b = 0; b < numBins; b++) widths.push(hz[b + 2] - hz[b]);
  const mean = widths.reduce((a, w) => a + w, 0) / numBins;
  return widths.map((w) => w / mean);
}

export class LevelMatcher {
  constructor(target, frameShiftMs) {
    this.target = target;
    const perS = 1000 / frameShiftMs;
    this.window = Math.max(Math.round(WINDOW_S * perS), 1);
    this.floorWindow = Math.max(Math.round(FLOOR_WINDOW_S * perS), 1);
    this.logWidths = null;
    this.min = Math.max(Math.round(MIN_S * perS), 1);
    this.all = [];
    this.speech = [];
    this.gate = target - GATE_DB * LOG_PER_DB;
    this.aboveFloor = SPEECH_DB * LOG_PER_DB;
    this.limit = MAX_DB * LOG_PER_DB;
    this.offset = 0;
  }

  // One feature frame (Float32Array) -> the frame shifted (a new Float32Array).
  push(frame) {
    const n = frame.length;
    if (this.logWidths === null) this.logWidths = binWidths(n).map(Math.log);
    const out = new Float32Array(n);
    const off = Math.fround(this.offset);
    let top = -Infinity;
    for (let i = 0; i < n; i++) {
      out[i] = frame[i] + off;
      top = Math.max(top, frame[i] - this.logWidths[i]);
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(frame[i] - this.logWidths[i] - top);
    this.listen(top + Math.log(sum / n));
    return out;
  }

  listen(level) {
    this.all.push(level);
    if (this.all.length > this.floorWindow) this.all.shift();
    const floor = percentile(this.all, FLOOR_PERCENTILE);
    if (level < this.gate || level < floor + this.aboveFloor) return;
    this.speech.push(level);
    if (this.speech.length > this.window) this.speech.shift();
    if (this.speech.length >= this.min) {
      const heard = percentile(this.speech, PERCENTILE);
      this.offset = Math.min(Math.max(this.target - heard, -this.limit), this.limit);
    }
  }
}
