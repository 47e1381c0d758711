// The per-frame pixel work of core/lipsync/inference.LipSyncFrames, on RGBA pixel rectangles.
//
// cutCrop: the face box resampled to the crop size (cv2.warpAffine INTER_LINEAR, replicated
// border: positions quantised to 1/32 pixel as OpenCV does). sourceTensor: the masked crop plus
// the mouth shape map, the renderer's input. pasteMouth: the rendered crop colour-matched on the
// feather band, warped back into the frame and blended with the feathered mouth alpha
// (core/lipsync/paste_back.py); pixels outside the alpha stay bit for bit.

const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const INTER_BITS = 5;
const INTER_TAB = 1 << INTER_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB / 2;

function cvRound(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; // lrint: half to even
}

// cv2.invertAffineTransform of the axis-aligned map [[a, 0, b], [0, d, e]].
function invert(a, b, d, e) {
  const det = 1 / (a * d);
  const A = d * det;
  const D = a * det;
  return [A, -A * b, D, -D * e];
}

// Source taps of destination columns (or rows) for an axis-aligned map, as cv2.warpAffine
// computes them (positions quantised to 1/32 pixel): i0, i1 (clamped for a replicated border,
// -1 outside for a constant one) and the weight of i1.
function taps(n, scale, offset, size, border) {
  const base = cvRound(offset * AB_SCALE) + ROUND_DELTA;
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const f = new Float64Array(n);
  const fix = (v) => {
    if (v >= 0 && v < size) return v;
    return border === "constant" ? -1 : Math.min(Math.max(v, 0), size - 1);
  };
  for (let i = 0; i < n; i++) {
    const p = (base + cvRound(scale * i * AB_SCALE)) >> (AB_BITS - INTER_BITS);
    const a = p >> INTER_BITS;
    f[i] = (p & (INTER_TAB - 1)) / INTER_TAB;
    i0[i] = fix(a);
    i1[i] = fix(a + 1);
  }
  return { i0, i1, f };
}

// Bilinear warp of an axis-aligned affine map m = [sx, tx, sy, ty] (source -> destination
// pixels). src: sw * sh pixels of `stride` values, the first `ch` used; out: dw * dh * ch, of
// which only the window [x0, x1) x [y0, y1) is computed.
function warp(src, sw, sh, stride, ch, dw, dh, m, border, out, quantise, win = [0, dw, 0, dh]) {
  const [ia, ib, id, ie] = invert(m[0], m[1], m[2], m[3]);
  const X = taps(dw, ia, ib, sw, border);
  const Y = taps(dh, id, ie, sh, border);
  const q = (w) => (quantise ? Math.round(w * 32768) / 32768 : w);
  for (let y = win[2]; y < win[3]; y++) {
    const r0 = Y.i0[y];
    const r1 = Y.i1[y];
    const fy = Y.f[y];
    for (let x = win[0]; x < win[1]; x++) {
      const c0 = X.i0[x];
      const c1 = X.i1[x];
      const fx = X.f[x];
      const w00 = q((1 - fx) * (1 - fy));
      const w01 = q(fx * (1 - fy));
      const w10 = q((1 - fx) * fy);
      const w11 = quantise ? 1 - w00 - w01 - w10 : fx * fy;
      const p00 = r0 >= 0 && c0 >= 0 ? (r0 * sw + c0) * stride : -1;
      const p01 = r0 >= 0 && c1 >= 0 ? (r0 * sw + c1) * stride : -1;
      const p10 = r1 >= 0 && c0 >= 0 ? (r1 * sw + c0) * stride : -1;
      const p11 = r1 >= 0 && c1 >= 0 ? (r1 * sw + c1) * stride : -1;
      const o = (y * dw + x) * ch;
      for (let c = 0; c < ch; c++) {
        out[o + c] =
          (p00 >= 0 ? w00 * src[p00 + c] : 0) +
          (p01 >= 0 ? w01 * src[p01 + c] : 0) +
          (p10 >= 0 ? w10 * src[p10 + c] : 0) +
          (p11 >= 0 ? w11 * src[p11 + c] : 0);
      }
    }
  }
  return out;
}

// The pixel rectangle a frame's paste-back touches: (rx0, ry0, rx1, ry1), as paste_back.py picks it.
export function pasteRect(box, fw, fh) {
  const [x0, y0, x1, y1] = box;
  return [
    Math.max(Math.floor(x0), 0),
    Math.max(Math.floor(y0), 0),
    Math.min(Math.ceil(x1) + 1, fw),
    Math.min(Math.ceil(y1) + 1, fh),
  ];
}

// Face crop [ch * cw * 3] (RGB, 0..255 integers) of `box` from an RGBA rectangle of the frame
// whose top-left pixel is (rx0, ry0); the rectangle must reach the frame's edges it is clamped to.
export function cutCrop(rgba, rw, rh, rx0, ry0, box, ch, cw) {
  const [x0, y0, x1, y1] = box;
  const sx = cw / (x1 - x0);
  const sy = ch / (y1 - y0);
  const m = [sx, -(x0 - rx0) * sx, sy, -(y0 - ry0) * sy];
  const out = warp(rgba, rw, rh, 4, 3, cw, ch, m, "replicate", new Float32Array(ch * cw * 3), true);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(Math.round(out[i]), 0), 255);
  return out;
}

function ramp(n, lo, hi, width) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = i + 0.5;
    const t = Math.min(Math.max(Math.min(x - lo, hi - x) / Math.max(width, 1e-6), 0), 1);
    out[i] = t * t * (3 - 2 * t);
  }
  return out;
}

// Paste alpha [ch * cw]: 0 outside the mouth box, 1 in its core, smoothstep over `feather`.
export function mouthAlpha(g, feather) {
  const width = feather * g.mouth_size;
  const ry = ramp(g.crop_height, g.mouth_top, g.mouth_top + g.mouth_size, width);
  const rx = ramp(g.crop_width, g.mouth_left, g.mouth_left + g.mouth_size, width);
  const out = new Float32Array(g.crop_height * g.crop_width);
  for (let y = 0; y < g.crop_height; y++)
    for (let x = 0; x < g.crop_width; x++) out[y * g.crop_width + x] = Math.fround(ry[y] * rx[x]);
  return out;
}

// Renderer input [4 * ch * cw]: crop RGB in [0, 1] with the mouth box zeroed, then the shape map.
export function sourceTensor(crop, shapeMap, g) {
  const { crop_height: h, crop_width: w } = g;
  const out = new Float32Array(4 * h * w);
  for (let y = 0; y < h; y++) {
    const inMouthRow = y >= g.mouth_top && y < g.mouth_top + g.mouth_size;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const masked = inMouthRow && x >= g.mouth_left && x < g.mouth_left + g.mouth_size;
      for (let c = 0; c < 3; c++) out[c * h * w + i] = masked ? 0 : crop[3 * i + c] / 255;
    }
  }
  out.set(shapeMap, 3 * h * w);
  return out;
}

// Colour-match the render (HWC 0..255) to the crop on the band 0.02 < alpha < 0.6 (in place).
function matchColors(render, crop, alpha, maxGain) {
  const n = alpha.length;
  const idx = [];
  for (let i = 0; i < n; i++) if (alpha[i] > 0.02 && alpha[i] < 0.6) idx.push(i);
  if (idx.length < 8) return;
  for (let c = 0; c < 3; c++) {
    let rm = 0;
    let om = 0;
    for (const i of idx) {
      rm += render[3 * i + c];
      om += crop[3 * i + c];
    }
    rm /= idx.length;
    om /= idx.length;
    let rv = 0;
    let ov = 0;
    for (const i of idx) {
      rv += (render[3 * i + c] - rm) ** 2;
      ov += (crop[3 * i + c] - om) ** 2;
    }
    const gain = Math.min(
      Math.max(Math.sqrt(ov / idx.length) / Math.max(Math.sqrt(rv / idx.length), 1e-3), 1 / maxGain),
      maxGain,
    );
    for (let i = 0; i < n; i++) render[3 * i + c] = (render[3 * i + c] - rm) * gain + om;
  }
}

// Blend the rendered face crop (CHW RGB in [0, 1]) into the RGBA rectangle (rx0, ry0, rw, rh)
// of the frame, in place. crop: the frame's own crop (cutCrop) for colour matching.
export function pasteMouth(rgba, rw, rh, rx0, ry0, face, crop, alpha, box, g, paste) {
  const { crop_height: ch, crop_width: cw } = g;
  const render = new Float32Array(ch * cw * 3);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < ch * cw; i++) render[3 * i + c] = Math.fround(face[c * ch * cw + i] * 255);
  if (paste.color_match) matchColors(render, crop, alpha, paste.max_gain);
  const [x0, y0, x1, y1] = box;
  const m = [(x1 - x0) / cw, x0 - rx0, (y1 - y0) / ch, y0 - ry0];
  // the alpha is 0 a crop pixel outside the mouth box: only its frame window is computed
  const span = (lo, n, scale, offset) => [
    Math.max(Math.floor(offset + (lo - 1) * scale) - 1, 0),
    Math.min(Math.ceil(offset + (lo + g.mouth_size + 1) * scale) + 2, n),
  ];
  const win = [...span(g.mouth_left, rw, m[0], m[1]), ...span(g.mouth_top, rh, m[2], m[3])];
  const warped = warp(render, cw, ch, 3, 3, rw, rh, m, "replicate", new Float32Array(rw * rh * 3), false, win);
  const a = warp(alpha, cw, ch, 1, 1, rw, rh, m, "constant", new Float32Array(rw * rh), false, win);
  for (let i = 0; i < rw * rh; i++) {
    const w = Math.min(Math.max(a[i], 0), 1);
    if (w < 1e-3) continue;
    for (let c = 0; c < 3; c++) {
      const v = rgba[4 * i + c] * (1 - w) + warped[3 * i + c] * w;
      rgba[4 * i + c] = Math.min(Math.max(cvRound(v), 0), 255);
    }
  }
  return rgba;
}
