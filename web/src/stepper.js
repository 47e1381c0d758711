// The audio stepper of core/mouth/streaming.MouthStepper: 16 kHz audio in any chunk size ->
// mouth coefficients per video frame, the model's lookahead as a delay.
//
// Video frame j's pair is feature frames (s, s + 1) with s = round-half-up((centre_ms(j) -
// window/2 - shift/2) / shift), clamped to the features that exist; the pair is normalised with
// the training speaker's statistics and fed to the audio model's step (`step(pair) -> coeffs`,
// the LSTM state carried by the caller's session). Frame j is emitted when pair j + lookahead has
// been stepped; `flush` pads the lookahead with the last features, as the desktop engine does.

import { Fbank } from "./fbank.js";
import { LevelMatcher } from "./level.js";

export class MouthStepper {
  // cfg: {fbank, lookahead, k, fps, normMean, normStd, normLevel}; step: async (Float32Array) -> Float32Array
  constructor(cfg, step) {
    this.fb = new Fbank(cfg.fbank);
    this.cfgF = cfg.fbank;
    this.lookahead = cfg.lookahead;
    this.k = cfg.k;
    this.fps = cfg.fps;
    this.rate = cfg.fbank.sample_rate;
    this.step = step;
    const b = cfg.normMean.length;
    this.mean = new Float32Array(2 * b);
    this.invStd = new Float32Array(2 * b);
    for (let i = 0; i < 2 * b; i++) {
      this.mean[i] = cfg.normMean[i % b];
      this.invStd[i] = Math.fround(1 / cfg.normStd[i % b]);
    }
    // a voice at another level than the training clip's is shifted to it (level.js)
    const level = cfg.normLevel ?? null;
    this.level = level === null ? null : new LevelMatcher(level, cfg.fbank.frame_shift_ms);
    this.feats = [];
    this.featsStart = 0;
    this.nextPair = 0;
    this.audio = new Float32Array(0);
    this.audioStart = 0;
    this.done = false;
  }

  pairStart(j) {
    const centre = ((j + 0.5) * 1000) / this.fps;
    const pos = (centre - this.cfgF.frame_length_ms / 2 - this.cfgF.frame_shift_ms / 2) / this.cfgF.frame_shift_ms;
    return Math.floor(pos + 0.5);
  }

  get framesOut() {
    return Math.max(this.nextPair - this.lookahead, 0);
  }

  // Audio past a frame's centre needed before it can be emitted (window + lookahead), in ms.
  get inherentLatencyMs() {
    const last = this.pairStart(this.lookahead) + 1;
    return last * this.cfgF.frame_shift_ms + this.cfgF.frame_length_ms - 500 / this.fps;
  }

  async push(samples) {
    const merged = new Float32Array(this.audio.length + samples.length);
    merged.set(this.audio);
    merged.set(samples, this.audio.length);
    this.audio = merged;
    const frames = this.fb.accept(samples);
    this.feats.push(...(this.level ? frames.map((f) => this.level.push(f)) : frames));
    return this.run(this.fb.framesEmitted, null);
  }

  async flush() {
    if (this.done) return [];
    this.done = true;
    if (this.fb.framesEmitted === 0) return [];
    const total = Math.ceil((this.fb.samplesSeen * this.fps) / this.rate - 1e-9);
    return this.run(this.fb.framesEmitted, total);
  }

  feature(i, available) {
    i = Math.min(Math.max(i, 0), available - 1);
    return this.feats[i - this.featsStart];
  }

  async run(available, finalFrames) {
    const out = [];
    for (;;) {
      const p = this.nextPair;
      if (finalFrames === null) {
        if (this.pairStart(p) + 2 > available) break;
      } else if (p >= finalFrames + this.lookahead) break;
      const i0 = this.pairStart(p);
      const a = this.feature(i0, available);
      const b = this.feature(i0 + 1, available);
      const n = a.length;
      const pair = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        pair[i] = (a[i] - this.mean[i]) * this.invStd[i];
        pair[n + i] = (b[i] - this.mean[n + i]) * this.invStd[n + i];
      }
      const y = await this.step(pair);
      if (p >= this.lookahead) {
        const j = p - this.lookahead;
        out.push({ index: j, coeffs: Float32Array.from(y), rms: this.rms(j) });
      }
      this.nextPair++;
    }
    this.forget(available);
    return out;
  }

  frameSample(j) {
    return Math.round((j * this.rate) / this.fps);
  }

  rms(j) {
    const a = Math.max(this.frameSample(j) - this.audioStart, 0);
    const b = Math.max(this.frameSample(j + 1) - this.audioStart, 0);
    const seg = this.audio.subarray(a, b);
    if (!seg.length) return 0;
    let s = 0;
    for (const v of seg) s += v * v;
    return Math.sqrt(s / seg.length);
  }

  forget(available) {
    const firstNeeded = Math.min(Math.max(this.pairStart(this.nextPair), 0), Math.max(available - 1, 0));
    const drop = Math.min(firstNeeded - this.featsStart, this.feats.length - 1);
    if (drop > 0) {
      this.feats.splice(0, drop);
      this.featsStart += drop;
    }
    const keepFrom = this.frameSample(this.framesOut);
    if (keepFrom > this.audioStart) {
      const cut = Math.min(keepFrom - this.audioStart, this.audio.length);
      this.audio = this.audio.slice(cut);
      this.audioStart += cut;
    }
  }
}
