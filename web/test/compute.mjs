// Node harness for the parity tests (tests/core/export/test_web_js.py): one JSON request on
// stdin naming a page module's computation and its input files; outputs written as float32.
import { readFileSync, writeFileSync } from "node:fs";
import { Fbank } from "../src/fbank.js";
import { LevelMatcher } from "../src/level.js";
import { drawShapeMap } from "../src/shape_map.js";

const req = JSON.parse(readFileSync(0, "utf8"));
const f32 = (path) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

if (req.op === "fbank") {
  const audio = f32(req.audio);
  const fb = new Fbank(req.config);
  const frames = [];
  for (let i = 0; i < audio.length; i += req.chunk) frames.push(...fb.accept(audio.subarray(i, i + req.chunk)));
  const out = new Float32Array(frames.length * fb.numBins);
  frames.forEach((f, i) => out.set(f, i * fb.numBins));
  writeFileSync(req.out, out);
  console.log(JSON.stringify({ frames: frames.length, bins: fb.numBins }));
} else if (req.op === "shape_map") {
  const pts = f32(req.points); // [n, P, 2]
  const P = req.outer + req.inner;
  const n = pts.length / (2 * P);
  const [h, w] = req.size;
  const out = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const p = pts.subarray(i * 2 * P, (i + 1) * 2 * P);
    out.set(drawShapeMap(p.subarray(0, 2 * req.outer), p.subarray(2 * req.outer), h, w, req.style), i * h * w);
  }
  writeFileSync(req.out, out);
  console.log(JSON.stringify({ maps: n }));
} else if (req.op === "level") {
  const feats = f32(req.features); // [n, bins]
  const n = feats.length / req.bins;
  const matcher = new LevelMatcher(req.target, req.shift_ms);
  const out = new Float32Array(feats.length);
  for (let i = 0; i < n; i++) out.set(matcher.push(feats.subarray(i * req.bins, (i + 1) * req.bins)), i * req.bins);
  writeFileSync(req.out, out);
  console.log(JSON.stringify({ frames: n, offset_db: matcher.offset / (Math.log(10) / 10) }));
} else {
  throw new Error(`unknown op ${req.op}`);
}
