// Log-mel filter banks with kaldi-native-fbank's definition (core/audio/fbank.py), streaming.
//
// Frames with snip_edges: frame i covers samples [i * shift, i * shift + window); each is
// taken on the int16 scale (float * 32768), has its DC offset removed, is pre-emphasised
// (0.97), multiplied by the Povey window, zero-padded to a power of two, and its power
// spectrum goes through kaldi's triangular mel bins (20 Hz .. Nyquist, mel = 1127 ln(1 + f/700));
// the output is log(max(energy, FLT_EPSILON)). Computed in float64 here (kaldi: float32), so
// frames agree to about 1e-5 (tests/core/export/test_web_js.py measures it).

const FLT_EPSILON = 1.1920928955078125e-7;
const INT16_SCALE = 32768;
const PREEMPH = 0.97;
const LOW_FREQ = 20;

function melScale(f) {
  return 1127 * Math.log(1 + f / 700);
}

function melBins(numBins, sampleRate, padded) {
  const numFft = padded / 2;
  const binWidth = sampleRate / padded;
  const melLow = melScale(LOW_FREQ);
  const melHigh = melScale(sampleRate / 2);
  const delta = (melHigh - melLow) / (numBins + 1);
  const bins = [];
  for (let b = 0; b < numBins; b++) {
    const left = melLow + b * delta;
    const centre = melLow + (b + 1) * delta;
    const right = melLow + (b + 2) * delta;
    let first = -1;
    const weights = [];
    for (let i = 0; i < numFft; i++) {
      const mel = melScale(binWidth * i);
      if (mel > left && mel < right) {
        if (first < 0) first = i;
        weights.push(mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre));
      }
    }
    bins.push({ first, weights: Float64Array.from(weights) });
  }
  return bins;
}

// In-place iterative radix-2 FFT of (re, im), length a power of two.
function fft(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

export class Fbank {
  // cfg: {num_bins, frame_length_ms, frame_shift_ms, sample_rate} (FbankConfig's JSON)
  constructor(cfg) {
    this.numBins = cfg.num_bins;
    this.window = Math.round((cfg.frame_length_ms * cfg.sample_rate) / 1000);
    this.shift = Math.round((cfg.frame_shift_ms * cfg.sample_rate) / 1000);
    let padded = 1;
    while (padded < this.window) padded <<= 1;
    this.padded = padded;
    this.povey = new Float64Array(this.window);
    const a = (2 * Math.PI) / (this.window - 1);
    for (let i = 0; i < this.window; i++) this.povey[i] = Math.pow(0.5 - 0.5 * Math.cos(a * i), 0.85);
    this.bins = melBins(this.numBins, cfg.sample_rate, padded);
    this.buf = new Float32Array(0); // samples not yet consumed by a frame
    this.bufStart = 0; // absolute index of buf[0]
    this.framesEmitted = 0;
    this.samplesSeen = 0;
    this.re = new Float64Array(padded);
    this.im = new Float64Array(padded);
  }

  // Append 16 kHz mono float samples; the frames they completed ([numBins] Float32Array each).
  accept(samples) {
    const merged = new Float32Array(this.buf.length + samples.length);
    merged.set(this.buf);
    merged.set(samples, this.buf.length);
    this.buf = merged;
    this.samplesSeen += samples.length;
    const out = [];
    for (;;) {
      const start = this.framesEmitted * this.shift - this.bufStart;
      if (start + this.window > this.buf.length) break;
      out.push(this.frame(this.buf.subarray(start, start + this.window)));
      this.framesEmitted++;
    }
    const keep = this.framesEmitted * this.shift - this.bufStart;
    if (keep > 0) {
      this.buf = this.buf.slice(keep);
      this.bufStart += keep;
    }
    return out;
  }

  frame(x) {
    const n = this.window;
    const re = this.re;
    const im = this.im;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      re[i] = x[i] * INT16_SCALE;
      mean += re[i];
    }
    mean /= n;
    for (let i = 0; i < n; i++) re[i] -= mean;
    for (let i = n - 1; i > 0; i--) re[i] -= PREEMPH * re[i - 1];
    re[0] -= PREEMPH * re[0];
    for (let i = 0; i < n; i++) re[i] *= this.povey[i];
    re.fill(0, n);
    im.fill(0);
    fft(re, im);
    const out = new Float32Array(this.numBins);
    for (let b = 0; b < this.numBins; b++) {
      const { first, weights } = this.bins[b];
      let e = 0;
      for (let k = 0; k < weights.length; k++) {
        const i = first + k;
        e += weights[k] * (re[i] * re[i] + im[i] * im[i]);
      }
      out[b] = Math.log(Math.max(e, FLT_EPSILON));
    }
    return out;
  }
}
