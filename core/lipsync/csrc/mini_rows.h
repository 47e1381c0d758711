// The row kernels of the DINet mini kernel (dinet_mini.cpp): NHWC activations with a zero border,
// the register-blocked pointwise 1x1, the depthwise 3x3 of one output row, and bilinear resizing
// one output row at a time.

#pragma once

#include <vector>

#include "mini_vec.h"

namespace dhs_mini {

// An NHWC activation with a zero border: pixel (y, x), y in [-1, h], x in [-1, w].
struct Act {
  int h = 0, w = 0, c = 0;
  std::vector<float> buf;
  void init(int h_, int w_, int c_) {
    h = h_;
    w = w_;
    c = c_;
    buf.assign(static_cast<size_t>(h + 2) * (w + 2) * c, 0.0f);
  }
  float* row(int y) { return buf.data() + static_cast<size_t>(y + 1) * (w + 2) * c; }  // at x = -1
  const float* row(int y) const { return buf.data() + static_cast<size_t>(y + 1) * (w + 2) * c; }
  float* at(int y, int x) { return row(y) + static_cast<size_t>(x + 1) * c; }
  const float* at(int y, int x) const { return row(y) + static_cast<size_t>(x + 1) * c; }
};

// Depthwise 3x3 + pointwise 1x1 (batch-norm folded into both), ReLU after the pointwise always.
struct Sep {
  int cin = 0, cout = 0, stride = 1;
  bool dw_relu = true;   // false in a residual block's body
  bool residual = false; // relu(x + body(x))
  std::vector<float> dw_w, dw_b, pw_w, pw_b;  // [9][cin], [cin], [cin][cout], [cout]
};

struct Input {
  const Act* act;
  bool upsample;  // bilinearly resized to the block's output size first
};

// ---------------------------------------------------------------------------------------------
// Pointwise 1x1: `P` pixels x `COB` output channels of accumulators held in registers.

template <int COB, int P>
inline void pw_tile(const float* DHS_RESTRICT in, int ist, int cin, const float* DHS_RESTRICT w, int wst,
                    const float* DHS_RESTRICT b, const float* DHS_RESTRICT res, int rst,
                    float* DHS_RESTRICT out, int ost) {
  constexpr int J = COB / kLanes;
  V8 acc[P][J];
  for (int j = 0; j < J; ++j) {
    const V8 bj = load8(b + j * kLanes);
    for (int p = 0; p < P; ++p) acc[p][j] = bj;
  }
  for (int ci = 0; ci < cin; ++ci) {
    const float* DHS_RESTRICT wr = w + static_cast<size_t>(ci) * wst;
    V8 wv[J];
    for (int j = 0; j < J; ++j) wv[j] = load8(wr + j * kLanes);
    for (int p = 0; p < P; ++p) {
      const V8 a = splat8(in[p * ist + ci]);
      for (int j = 0; j < J; ++j) acc[p][j] += a * wv[j];
    }
  }
  for (int p = 0; p < P; ++p)
    for (int j = 0; j < J; ++j) {
      V8 v = acc[p][j];
      if (res != nullptr) v += load8(res + p * rst + j * kLanes);
      store8(out + p * ost + j * kLanes, relu8(v));
    }
}

// The pixels left after the full tiles, in one tile of their own size: one pixel at a time is a
// single chain of dependent FMAs per register, bound by the FMA latency (an 8-pixel tail of an
// 80-pixel row took half as long as the 72 pixels before it).
template <int COB, int P>
void pw_tail(int n, const float* in, int ist, int cin, const float* w, int wst, const float* b, const float* res,
             int rst, float* out, int ost) {
  if constexpr (P > 0) {
    if (n == P) return pw_tile<COB, P>(in, ist, cin, w, wst, b, res, rst, out, ost);
    pw_tail<COB, P - 1>(n, in, ist, cin, w, wst, b, res, rst, out, ost);
  }
}

template <int COB, int P>
void pw_row_blocked(const float* in, int ist, int n, int cin, const float* w, int cout, const float* b,
                    const float* res, int rst, float* out, int ost) {
  for (int co = 0; co < cout; co += COB) {
    int x = 0;
    for (; x + P <= n; x += P)
      pw_tile<COB, P>(in + x * ist, ist, cin, w + co, cout, b + co, res ? res + x * rst + co : nullptr, rst,
                      out + x * ost + co, ost);
    if (x < n)
      pw_tail<COB, P - 1>(n - x, in + x * ist, ist, cin, w + co, cout, b + co, res ? res + x * rst + co : nullptr,
                          rst, out + x * ost + co, ost);
  }
}

// relu(bias + W in [+ res]) for `n` pixels; the register blocking depends on the output channels
void pw_row(const float* in, int ist, int n, int cin, const float* w, int cout, const float* b,
            const float* res, int rst, float* out, int ost) {
  if (cout % 32 == 0)
    pw_row_blocked<32, 3>(in, ist, n, cin, w, cout, b, res, rst, out, ost);
  else if (cout % 16 == 0)
    pw_row_blocked<16, 6>(in, ist, n, cin, w, cout, b, res, rst, out, ost);
  else
    pw_row_blocked<8, 12>(in, ist, n, cin, w, cout, b, res, rst, out, ost);
}

// ---------------------------------------------------------------------------------------------
// Depthwise 3x3 of one output row: `rows` point at column -1 of the three input rows (cs channels
// per pixel); writes channels [off, off + cs) of `out` (ost floats per pixel).

// X outputs at a time: X independent accumulator chains (one chain of 9 dependent FMAs per output
// stalled on the FMA latency: 3x slower), the 9 weights in registers. (Loading each input column
// once and reusing it across the outputs that read it measured ~8 % slower: GCC's schedule.)
template <int S, int X>
inline void dw_tile(const float* DHS_RESTRICT r0, const float* DHS_RESTRICT r1, const float* DHS_RESTRICT r2,
                    int cs, const V8 wk[9], V8 bk, bool relu, float* DHS_RESTRICT out, int ost) {
  V8 acc[X];
  for (int i = 0; i < X; ++i) acc[i] = bk;
  for (int kx = 0; kx < 3; ++kx)
    for (int i = 0; i < X; ++i) {
      const int o = (i * S + kx) * cs;
      acc[i] += wk[kx] * load8(r0 + o);
      acc[i] += wk[3 + kx] * load8(r1 + o);
      acc[i] += wk[6 + kx] * load8(r2 + o);
    }
  for (int i = 0; i < X; ++i) store8(out + i * ost, relu ? relu8(acc[i]) : acc[i]);
}

template <int S, int X>
void dw_tail(int n, const float* r0, const float* r1, const float* r2, int cs, const V8 wk[9], V8 bk, bool relu,
             float* out, int ost) {
  if constexpr (X > 0) {
    if (n == X) return dw_tile<S, X>(r0, r1, r2, cs, wk, bk, relu, out, ost);
    dw_tail<S, X - 1>(n, r0, r1, r2, cs, wk, bk, relu, out, ost);
  }
}

template <int S>
void dw_row(const float* const rows[3], int cs, int wo, const float* dw_w, int wst, const float* dw_b,
            bool relu, float* DHS_RESTRICT out, int ost) {
  constexpr int X = 6;
  for (int g = 0; g < cs; g += kLanes) {
    V8 wk[9];
    for (int k = 0; k < 9; ++k) wk[k] = load8(dw_w + k * wst + g);
    const V8 bk = load8(dw_b + g);
    int x = 0;
    for (; x + X <= wo; x += X) {
      const int o = x * S * cs + g;
      dw_tile<S, X>(rows[0] + o, rows[1] + o, rows[2] + o, cs, wk, bk, relu, out + x * ost + g, ost);
    }
    if (x < wo) {
      const int o = x * S * cs + g;
      dw_tail<S, X - 1>(wo - x, rows[0] + o, rows[1] + o, rows[2] + o, cs, wk, bk, relu, out + x * ost + g, ost);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bilinear resize (align_corners=False, F.interpolate's source index rule) one output row at a time.

struct Axis {
  std::vector<int> i0, i1;
  std::vector<float> l1;
  void init(int in, int out) {
    i0.resize(out);
    i1.resize(out);
    l1.resize(out);
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    for (int d = 0; d < out; ++d) {
      float s = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
      if (s < 0.0f) s = 0.0f;
      const int a = static_cast<int>(s);
      i0[d] = a;
      i1[d] = a + (a < in - 1 ? 1 : 0);
      l1[d] = s - static_cast<float>(a);
    }
  }
};

void upsample_row(const Act& src, const Axis& ax, const Axis& ay, int r, float* DHS_RESTRICT dst /*at x=0*/,
                  float* DHS_RESTRICT tmp) {
  const int c = src.c, wi = src.w, wo = static_cast<int>(ax.i0.size());
  const float ly = ay.l1[r], ky = 1.0f - ly;
  const float* DHS_RESTRICT a = src.at(ay.i0[r], 0);
  const float* DHS_RESTRICT b = src.at(ay.i1[r], 0);
  const V8 vky = splat8(ky), vly = splat8(ly);
  for (int i = 0; i < wi * c; i += kLanes) store8(tmp + i, vky * load8(a + i) + vly * load8(b + i));
  for (int x = 0; x < wo; ++x) {
    const V8 lx = splat8(ax.l1[x]), kx = splat8(1.0f - ax.l1[x]);
    const float* DHS_RESTRICT p = tmp + ax.i0[x] * c;
    const float* DHS_RESTRICT q = tmp + ax.i1[x] * c;
    float* DHS_RESTRICT d = dst + x * c;
    for (int g = 0; g < c; g += kLanes) store8(d + g, kx * load8(p + g) + lx * load8(q + g));
  }
}

}  // namespace dhs_mini
