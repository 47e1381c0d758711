/* The HDR / wide-gamut tone map of core.media.tonemap, fused into one pass per pixel.
 *
 * The steps of tonemap.py's module docstring, on one pixel at a time with every intermediate in
 * registers (the NumPy route spends most of its time writing and re-reading whole-band
 * temporaries and gathering through NumPy's per-element indexing): Y'CbCr codes -> R'G'B' as a
 * coordinate into the linearisation table (nearest entry), luminance -> gain (a table indexed
 * by sqrt(Y)), the gain times the change of primaries, the
 * hue-keeping gamut fit (exact, on every pixel, branch-free so that it vectorises), BT.1886's
 * inverse EOTF through a table indexed by sqrt(x). The tables come from Python (tonemap.py).
 *
 * No state and nothing allocated but row scratch: parts of a frame may be converted on several
 * threads (ctypes releases the GIL). Built by `python -m core.media.build_native`.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(_MSC_VER)
#define restrict __restrict
#endif

#if defined(_WIN32)
#define DHS_EXPORT __declspec(dllexport)
#else
#define DHS_EXPORT __attribute__((visibility("default")))
#endif

/* The calling convention's version: the loader refuses a module that reports another. */
#define DHS_TONEMAP_ABI 2

typedef struct {
  float ycc[12];     /* rows R, G, B of (Y, Cb, Cr, 1) codes -> coordinate in lin_t (signal * lin_top) */
  float luma[3];     /* the source primaries' luminance weights times gain_n^2 */
  float m[9];        /* linear source RGB -> linear BT.709 RGB, row major */
  float luma709[3];  /* BT.709's luminance weights */
  int32_t lin_top;   /* lin_t holds lin_top + 1 entries: coordinate i -> linear light */
  int32_t gain_n;    /* gain_t holds gain_n + 1 entries: floor(sqrt(Y) * gain_n) -> the gain (1.0 = SDR white) */
  int32_t out_n;     /* out_t holds out_n + 4 bytes: floor(sqrt(x) * out_n) -> 8-bit code (3 bytes of padding) */
  int32_t bgr;       /* store B, G, R instead of R, G, B */
} dhs_tonemap_params;

DHS_EXPORT int dhs_tonemap_abi(void) { return DHS_TONEMAP_ABI; }

static inline float minf(float a, float b) { return a < b ? a : b; }
static inline float maxf(float a, float b) { return a > b ? a : b; }
static inline float clampf(float v, float lo, float hi) { return minf(maxf(v, lo), hi); }

typedef struct {
  const float *restrict lin_t;
  const float *restrict gain_t;
  const uint8_t *restrict out_t;
  float top, gtop, otop;
  float l0, l1, l2, m0, m1, m2, m3, m4, m5, m6, m7, m8, w0, w1, w2;
} kernel;

/* table[i] as a 32-bit load masked to its low byte (little-endian): a gather of 32-bit lanes at
 * byte offsets, so that the table holds bytes and stays in the L1 cache. */
static inline int32_t byte_at(const uint8_t *table, int32_t i) {
  uint32_t v;
  memcpy(&v, table + i, sizeof v);
  return (int32_t)(v & 0xFFu);
}

/* One pixel: R'G'B' coordinates -> three 8-bit codes. */
static inline void pixel(const kernel *k, float cr, float cg, float cb, int32_t *o0_, int32_t *o1_, int32_t *o2_) {
  const float r = k->lin_t[(int32_t)(clampf(cr, 0.0f, k->top) + 0.5f)];
  const float g = k->lin_t[(int32_t)(clampf(cg, 0.0f, k->top) + 0.5f)];
  const float b = k->lin_t[(int32_t)(clampf(cb, 0.0f, k->top) + 0.5f)];
  const float gain = k->gain_t[(int32_t)minf(sqrtf(maxf(k->l0 * r + k->l1 * g + k->l2 * b, 0.0f)), k->gtop)];
  float o0 = gain * (k->m0 * r + k->m1 * g + k->m2 * b);
  float o1 = gain * (k->m3 * r + k->m4 * g + k->m5 * b);
  float o2 = gain * (k->m6 * r + k->m7 * g + k->m8 * b);
  /* outside BT.709 or above white: toward the pixel's own luminance, just far enough */
  const float lum = clampf(k->w0 * o0 + k->w1 * o1 + k->w2 * o2, 0.0f, 1.0f);
  const float lo = minf(minf(o0, o1), o2), hi = maxf(maxf(o0, o1), o2);
  const float s_lo = lo < 0.0f ? lum / (lum - lo) : 1.0f;
  const float s_hi = hi > 1.0f ? (1.0f - lum) / (hi - lum) : 1.0f;
  const float s = clampf(minf(s_lo, s_hi), 0.0f, 1.0f);
  o0 = clampf(lum + (o0 - lum) * s, 0.0f, 1.0f);
  o1 = clampf(lum + (o1 - lum) * s, 0.0f, 1.0f);
  o2 = clampf(lum + (o2 - lum) * s, 0.0f, 1.0f);
  *o0_ = byte_at(k->out_t, (int32_t)(sqrtf(o0) * k->otop));
  *o1_ = byte_at(k->out_t, (int32_t)(sqrtf(o1) * k->otop));
  *o2_ = byte_at(k->out_t, (int32_t)(sqrtf(o2) * k->otop));
}

/*
 * y: luma codes, `height` rows of y_stride elements; cb, cr: chroma codes of pixel (row, col) at
 * (row / sy, col / sx), c_stride elements per row; sx, sy in {1, 2}. out: `height` rows of
 * out_stride bytes, 3 per pixel. Returns 0, or -1 when scratch could not be allocated.
 */
DHS_EXPORT int dhs_tonemap_rows(const uint16_t *y, ptrdiff_t y_stride, const uint16_t *cb, const uint16_t *cr,
                                ptrdiff_t c_stride, int height, int width, int sx, int sy,
                                const dhs_tonemap_params *p, const float *lin_t, const float *gain_t,
                                const uint8_t *out_t, uint8_t *out, ptrdiff_t out_stride) {
  const int cw = sx == 2 ? (width + 1) / 2 : width;
  float *scratch = (float *)malloc(sizeof(float) * 3 * (size_t)cw);
  int32_t *codes = (int32_t *)malloc(sizeof(int32_t) * 3 * (size_t)width);
  if (!scratch || !codes) {
    free(scratch);
    free(codes);
    return -1;
  }
  float *restrict dr = scratch, *restrict dg = scratch + cw, *restrict db = scratch + 2 * cw;
  int32_t *restrict o0 = codes, *restrict o1 = codes + width, *restrict o2 = codes + 2 * width;
  const kernel k = {lin_t,         gain_t,        out_t,    (float)p->lin_top, (float)p->gain_n, (float)p->out_n,
                    p->luma[0],    p->luma[1],    p->luma[2], p->m[0],         p->m[1],          p->m[2],
                    p->m[3],       p->m[4],       p->m[5],    p->m[6],         p->m[7],          p->m[8],
                    p->luma709[0], p->luma709[1], p->luma709[2]};
  const float ky = p->ycc[0];
  const float c1 = p->ycc[1], c2 = p->ycc[2], c3 = p->ycc[3], c5 = p->ycc[5], c6 = p->ycc[6], c7 = p->ycc[7];
  const float c9 = p->ycc[9], c10 = p->ycc[10], c11 = p->ycc[11];
  int chroma_row = -1;
  for (int row = 0; row < height; ++row) {
    const uint16_t *restrict yr = y + (ptrdiff_t)row * y_stride;
    if (row / sy != chroma_row) { /* the chroma's share of R', G', B' (and the constant), once per chroma row */
      chroma_row = row / sy;
      const uint16_t *restrict cbr = cb + (ptrdiff_t)chroma_row * c_stride;
      const uint16_t *restrict crr = cr + (ptrdiff_t)chroma_row * c_stride;
      for (int i = 0; i < cw; ++i) {
        const float u = (float)cbr[i], v = (float)crr[i];
        dr[i] = c1 * u + c2 * v + c3;
        dg[i] = c5 * u + c6 * v + c7;
        db[i] = c9 * u + c10 * v + c11;
      }
    }
    if (sx == 2) {
      const int pairs = width / 2;
      for (int i = 0; i < pairs; ++i) {
        const float ya = ky * (float)yr[2 * i], yb = ky * (float)yr[2 * i + 1];
        pixel(&k, ya + dr[i], ya + dg[i], ya + db[i], &o0[2 * i], &o1[2 * i], &o2[2 * i]);
        pixel(&k, yb + dr[i], yb + dg[i], yb + db[i], &o0[2 * i + 1], &o1[2 * i + 1], &o2[2 * i + 1]);
      }
      if (width & 1) {
        const int x = width - 1;
        const float ya = ky * (float)yr[x];
        pixel(&k, ya + dr[x / 2], ya + dg[x / 2], ya + db[x / 2], &o0[x], &o1[x], &o2[x]);
      }
    } else {
      for (int x = 0; x < width; ++x) {
        const float ya = ky * (float)yr[x];
        pixel(&k, ya + dr[x], ya + dg[x], ya + db[x], &o0[x], &o1[x], &o2[x]);
      }
    }
    uint8_t *restrict o = out + (ptrdiff_t)row * out_stride;
    if (p->bgr) {
      for (int x = 0; x < width; ++x) {
        o[3 * x] = (uint8_t)o2[x];
        o[3 * x + 1] = (uint8_t)o1[x];
        o[3 * x + 2] = (uint8_t)o0[x];
      }
    } else {
      for (int x = 0; x < width; ++x) {
        o[3 * x] = (uint8_t)o0[x];
        o[3 * x + 1] = (uint8_t)o1[x];
        o[3 * x + 2] = (uint8_t)o2[x];
      }
    }
  }
  free(scratch);
  free(codes);
  return 0;
}
