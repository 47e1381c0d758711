// The mouth shape map (core/lipsync/mouth_shape_map.py) drawn in the page.
//
// Each lip polygon is filled the way cv2.fillPoly(LINE_8, shift=4) fills it, at 4x supersampling
// (vertices at 1/16 subpixel, round-half-up rows, spans from ceil(left) to floor(right) in 16.16 fixed point,
// the outline drawn with 8-connected Bresenham lines), then area-averaged down by 4 x 4 blocks:
// the map's edges carry the same coverage as the engine's. Layers: lip band `lip`, mouth interior
// `interior`, teeth band `teeth` over the top `teeth_fraction` of the interior.

const XY_SHIFT = 16;
const XY_ONE = 1 << XY_SHIFT;

function line8(img, w, h, x0, y0, x1, y1) {
  if (x1 < x0) [x0, y0, x1, y1] = [x1, y1, x0, y0]; // cv2 LineIterator(leftToRight=true)
  let dx = x1 - x0;
  let dy = y1 - y0;
  let sx = 1;
  let sy = 1;
  if (dy < 0) {
    dy = -dy;
    sy = -1;
  }
  const vert = dy > dx;
  if (vert) [dx, dy, sx, sy] = [dy, dx, sy, sx];
  let err = dx - 2 * dy;
  let x = x0;
  let y = y0;
  for (let i = 0; i <= dx; i++) {
    if (x >= 0 && x < w && y >= 0 && y < h) img[y * w + x] = 1;
    const minor = err < 0;
    err += -2 * dy + (minor ? 2 * dx : 0);
    if (vert) {
      y += sx;
      if (minor) x += sy;
    } else {
      x += sx;
      if (minor) y += sy;
    }
  }
}

// Fill polygon pts (Float32Array [x0, y0, x1, y1, ...], supersampled pixels with centres at
// integers, already scaled by 2^shift and rounded) into img (Uint8Array w*h, 1 = inside).
function fillPoly(img, w, h, pts, shift) {
  const n = pts.length / 2;
  const delta = (1 << shift) >> 1;
  const vx = new Array(n);
  const vy = new Array(n);
  for (let i = 0; i < n; i++) {
    vx[i] = pts[2 * i] * (1 << (XY_SHIFT - shift));
    vy[i] = Math.floor((pts[2 * i + 1] + delta) / (1 << shift));
  }
  const edges = [];
  for (let i = 0; i < n; i++) {
    const j = (i + n - 1) % n;
    const [x0, y0, x1, y1] = [vx[j], vy[j], vx[i], vy[i]];
    const t0x = Math.floor((x0 + XY_ONE / 2) / XY_ONE);
    const t1x = Math.floor((x1 + XY_ONE / 2) / XY_ONE);
    line8(img, w, h, t0x, y0, t1x, y1);
    if (y0 === y1) continue;
    const dx = Math.trunc((x1 - x0) / (y1 - y0));
    edges.push(y0 < y1 ? { y0, y1, x: x0, dx } : { y0: y1, y1: y0, x: x1, dx });
  }
  if (!edges.length) return;
  const yMin = Math.max(Math.min(...edges.map((e) => e.y0)), 0);
  const yMax = Math.min(Math.max(...edges.map((e) => e.y1)), h);
  const xs = [];
  for (let y = yMin; y < yMax; y++) {
    xs.length = 0;
    for (const e of edges) if (y >= e.y0 && y < e.y1) xs.push(e.x + (y - e.y0) * e.dx);
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      let x1 = Math.floor((xs[k] + XY_ONE - 1) / XY_ONE);
      let x2 = Math.floor(xs[k + 1] / XY_ONE);
      if (x1 >= w || x2 < 0) continue;
      x1 = Math.max(x1, 0);
      x2 = Math.min(x2, w - 1);
      img.fill(1, y * w + x1, y * w + x2 + 1);
    }
  }
}

// Area coverage [h * w] of a polygon in crop pixels (pixel i spans [i, i + 1]).
export function coverage(poly, h, w, ss = 4, shift = 4) {
  const W = w * ss;
  const H = h * ss;
  const img = new Uint8Array(W * H);
  const pts = new Float64Array(poly.length);
  for (let i = 0; i < poly.length; i++) pts[i] = roundHalfEven((poly[i] * ss - 0.5) * (1 << shift));
  fillPoly(img, W, H, pts, shift);
  const out = new Float32Array(h * w);
  const inv = 1 / (ss * ss);
  // only the polygon's bounding box (plus a pixel for the outline) can be covered
  let [xlo, xhi, ylo, yhi] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < poly.length; i += 2) {
    xlo = Math.min(xlo, poly[i]);
    xhi = Math.max(xhi, poly[i]);
    ylo = Math.min(ylo, poly[i + 1]);
    yhi = Math.max(yhi, poly[i + 1]);
  }
  const y0 = Math.max(Math.floor(ylo) - 1, 0);
  const y1 = Math.min(Math.ceil(yhi) + 2, h);
  const x0 = Math.max(Math.floor(xlo) - 1, 0);
  const x1 = Math.min(Math.ceil(xhi) + 2, w);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      let s = 0;
      for (let dy = 0; dy < ss; dy++) {
        const row = (y * ss + dy) * W + x * ss;
        for (let dx = 0; dx < ss; dx++) s += img[row + dx];
      }
      out[y * w + x] = s * inv;
    }
  }
  return out;
}

function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// outer, inner: Float32Array [x, y, ...] crop pixels; style: avatar.json's shape_map.
export function drawShapeMap(outer, inner, h, w, style) {
  const ss = style.supersample ?? 4;
  const shift = style.subpixel_bits ?? 4;
  const lips = coverage(outer, h, w, ss, shift);
  const mouth = coverage(inner, h, w, ss, shift);
  let yTop = Infinity;
  let yBot = -Infinity;
  for (let i = 1; i < inner.length; i += 2) {
    yTop = Math.min(yTop, inner[i]);
    yBot = Math.max(yBot, inner[i]);
  }
  const cut = yTop + style.teeth_fraction * (yBot - yTop);
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const band = Math.min(Math.max(cut - y, 0), 1);
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let v = lips[i] * style.lip;
      v = v * (1 - mouth[i]) + mouth[i] * style.interior;
      if (style.teeth_fraction > 0) {
        const t = mouth[i] * band;
        v = v * (1 - t) + t * style.teeth;
      }
      out[i] = Math.min(Math.max(v, 0), 1);
    }
  }
  return out;
}
