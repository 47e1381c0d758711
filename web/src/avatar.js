// The exported avatar in the page: its data, its two ONNX models on onnxruntime-web, and the one
// frame path (loop frame -> crop -> shape map -> renderer -> paste-back) drawn into a canvas.

import * as ort from "./vendor/ort/ort.wasm.min.mjs";
import { cutCrop, mouthAlpha, pasteMouth, pasteRect, sourceTensor } from "./frame.js";
import { drawShapeMap } from "./shape_map.js";
import { MouthStepper } from "./stepper.js";

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${src}`));
    img.src = src;
  });
}

// Ping-pong loop: output frame j shows loop frame 0, 1, ..., N-1, N-2, ..., 1, 0, 1, ...
export function loopIndex(n, j) {
  if (n <= 1) return 0;
  const period = 2 * (n - 1);
  const k = j % period;
  return k < n ? k : period - k;
}

export async function loadAvatar(onProgress = () => {}) {
  // Threads need cross-origin isolation; they then run in a proxy worker (a threaded runtime on
  // the page's own thread can stall it). On fewer than 4 cores the round trips cost more than the
  // threads give, so one thread there; ?threads=N overrides.
  const cores = navigator.hardwareConcurrency || 1;
  const asked = Number(new URLSearchParams(location.search).get("threads")) || 0;
  const wanted = asked || (cores >= 4 ? Math.min(4, cores) : 1);
  const threads = self.crossOriginIsolated ? wanted : 1;
  ort.env.wasm.wasmPaths = new URL("./vendor/ort/", import.meta.url).href;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = threads > 1;
  onProgress("avatar data");
  const meta = await (await fetch("avatar.json")).json();
  const bin = await (await fetch("avatar.bin")).arrayBuffer();
  const arrays = {};
  for (const [name, { offset, shape }] of Object.entries(meta.arrays)) {
    arrays[name] = new Float32Array(bin, offset, shape.reduce((a, b) => a * b, 1));
  }
  onProgress("models");
  const opts = { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
  const [renderer, audio] = await Promise.all([
    ort.InferenceSession.create(meta.renderer.file, opts),
    ort.InferenceSession.create(meta.audio_model.file, opts),
  ]);
  onProgress("source frames");
  const images = await Promise.all(meta.frame.files.map(loadImage));
  return new Avatar(meta, arrays, renderer, audio, images, threads);
}

export class Avatar {
  constructor(meta, arrays, renderer, audio, images, threads) {
    this.meta = meta;
    this.arrays = arrays;
    this.renderer = renderer;
    this.audio = audio;
    this.images = images;
    this.threads = threads;
    this.fps = meta.fps;
    this.width = meta.frame.width;
    this.height = meta.frame.height;
    this.n = meta.frame.count;
    this.g = meta.geometry;
    this.alpha = mouthAlpha(this.g, meta.paste.feather);
    this.refShape = meta.arrays.ref_features.shape;
    this.P = meta.arrays.lip_base.shape[1];
    this.gate = Promise.resolve(); // one model call at a time: the WASM runtime is not re-entrant
    this.K = meta.audio_model.k;
  }

  // Run fn (a model call) after every call queued before it.
  exclusive(fn) {
    const run = this.gate.then(fn);
    this.gate = run.catch(() => {});
    return run;
  }

  get backend() {
    return `onnxruntime-web wasm, ${this.threads} thread${this.threads > 1 ? "s" : ""}, ${this.meta.precision}`;
  }

  // A fresh stepper with its own LSTM state (zeros), over the audio model's session.
  newStepper() {
    const a = this.meta.audio_model;
    const dims = [a.lstm_layers, 1, a.lstm_hidden];
    const zero = () => new ort.Tensor("float32", new Float32Array(a.lstm_layers * a.lstm_hidden), dims);
    let h = zero();
    let c = zero();
    const step = async (pair) => {
      const feed = { pair: new ort.Tensor("float32", pair, [1, 1, pair.length]), h0: h, c0: c };
      const out = await this.exclusive(() => this.audio.run(feed));
      h = out.h1;
      c = out.c1;
      return out.coeffs.data;
    };
    const cfg = {
      fbank: a.fbank,
      lookahead: this.meta.lookahead,
      k: a.k,
      fps: this.fps,
      normMean: this.arrays.norm_mean,
      normStd: this.arrays.norm_std,
      normLevel: a.norm_level ?? null,
    };
    return new MouthStepper(cfg, step);
  }

  // Crop-pixel points [P * 2] of loop frame k for mouth coefficients (base + coeffs @ jac).
  points(k, coeffs) {
    const P2 = this.P * 2;
    const base = this.arrays.lip_base.subarray(k * P2, (k + 1) * P2);
    const out = Float64Array.from(base);
    for (let i = 0; i < this.K; i++) {
      const jac = this.arrays.lip_jac.subarray((k * this.K + i) * P2, (k * this.K + i + 1) * P2);
      const c = coeffs[i];
      for (let p = 0; p < P2; p++) out[p] += c * jac[p];
    }
    return out;
  }

  // Mouth opening (core.face.mouth_metrics.mouth_opening: inner-lip gap / eye-corner distance).
  opening(k, coeffs) {
    const pts = this.points(k, coeffs);
    const { start, count } = this.meta.points.pairs;
    let gap = 0;
    for (let i = 0; i < count; i += 2) {
      const a = 2 * (start + i);
      const b = a + 2;
      gap += Math.hypot(pts[a] - pts[b], pts[a + 1] - pts[b + 1]);
    }
    return gap / (count / 2) / this.arrays.face_size[k];
  }

  box(k) {
    return Array.from(this.arrays.boxes.subarray(4 * k, 4 * k + 4));
  }

  // Draw output frame j into ctx: the loop frame, with the mouth of `coeffs` when given.
  async renderFrame(ctx, j, coeffs) {
    const k = loopIndex(this.n, j);
    ctx.drawImage(this.images[k], 0, 0);
    if (!coeffs) return { k, model: 0, total: 0 };
    const t0 = performance.now();
    const g = this.g;
    const box = this.box(k);
    const [rx0, ry0, rx1, ry1] = pasteRect(box, this.width, this.height);
    const rw = rx1 - rx0;
    const rh = ry1 - ry0;
    if (rw <= 0 || rh <= 0) return { k, model: 0, total: 0 };
    const roi = ctx.getImageData(rx0, ry0, rw, rh);
    const crop = cutCrop(roi.data, rw, rh, rx0, ry0, box, g.crop_height, g.crop_width);
    const pts = this.points(k, coeffs);
    const o = this.meta.points.outer;
    const inn = this.meta.points.inner;
    const map = drawShapeMap(
      pts.subarray(2 * o.start, 2 * (o.start + o.count)),
      pts.subarray(2 * inn.start, 2 * (inn.start + inn.count)),
      g.crop_height,
      g.crop_width,
      this.meta.shape_map,
    );
    const source = sourceTensor(crop, map, g);
    const t1 = performance.now();
    const feed = {
      source: new ort.Tensor("float32", source, [1, 4, g.crop_height, g.crop_width]),
      // a fresh copy per call: the proxy worker takes (detaches) the buffers it is given
      ref_features: new ort.Tensor("float32", this.arrays.ref_features.slice(), this.refShape),
    };
    const out = await this.exclusive(() => this.renderer.run(feed));
    const t2 = performance.now();
    pasteMouth(roi.data, rw, rh, rx0, ry0, out.face.data, crop, this.alpha, box, g, this.meta.paste);
    ctx.putImageData(roi, rx0, ry0);
    const t3 = performance.now();
    return { k, prepare: t1 - t0, model: t2 - t1, paste: t3 - t2, total: t3 - t0 };
  }
}
