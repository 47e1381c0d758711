// DINet mini's per-frame forward (`LipSyncRenderer.forward_cached`, batch-norm folded) fused on the CPU.
//
// Activations are NHWC with a one-pixel zero border ("halo"), so every 3x3 tap is a plain load and
// 8 channels fill one AVX2 register; the channel loops below have fixed trip counts that GCC turns
// into whole-register operations (no intrinsics: the same source builds for x86-64-v2/v3 and ARM).
// A separable block runs row by row: the depthwise 3x3 (+ bias, ReLU) of one output row goes to a
// row buffer that stays in L1, and the pointwise 1x1 (+ bias, residual, ReLU) reads it at once, so
// the depthwise output never makes a round trip through memory. A block with two inputs (the
// merge's [x, warped], an up-block's [upsampled, skip], the parameter encoder's [x, ref]) reads both
// into one row buffer: the concatenation is never built (conv(concat(a, b)) = conv_a(a) + conv_b(b)
// summed in the same accumulators). An up-block's bilinear upsampling (align_corners=False, as
// F.interpolate) is computed one output row at a time into a three-row ring the depthwise conv
// reads. AdaAT's warp is `GatherAdaAT`'s branch-free form of grid_sample (align_corners=True, zeros
// padding). The RGB head runs inside the last up-block, one row behind it: that block writes its
// rows as planes into a three-row ring (never to memory) and the head vectorises over 8 pixels, with
// a polynomial exp for the sigmoid (GCC cannot vectorise expf).
//
// The model layout (channels, levels, residual blocks) comes from Python (core/lipsync/native_mini.py),
// which also declines what this file does not run (attention modules, widths not a multiple of 8).

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/utils/pybind.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#if defined(_MSC_VER)
#define DHS_RESTRICT __restrict
#else
#define DHS_RESTRICT __restrict__
#endif

namespace {

constexpr int kLanes = 8;  // channels per vector group (one AVX2 register of float32)

// Eight floats. GCC and clang: a generic vector (one AVX2 register; two NEON or SSE registers
// elsewhere), because GCC's own vectoriser shuffled the register-blocked tiles across the wrong axis
// (6.6 ms per frame at mouth 64); other compilers: a plain array their vectorisers handle lane-wise.
#if defined(__GNUC__) || defined(__clang__)
typedef float V8 __attribute__((vector_size(32)));
typedef float V8u __attribute__((vector_size(32), aligned(4), may_alias));  // any float's address
inline V8 load8(const float* p) { return *reinterpret_cast<const V8u*>(p); }
inline void store8(float* p, V8 v) { *reinterpret_cast<V8u*>(p) = v; }
inline V8 splat8(float a) { return V8{a, a, a, a, a, a, a, a}; }
inline V8 relu8(V8 v) {
  const V8 zero = {};
  return v > zero ? v : zero;
}
inline V8 max8(V8 a, V8 b) { return a > b ? a : b; }
inline V8 min8(V8 a, V8 b) { return a < b ? a : b; }
#define DHS_HAVE_SHUFFLE 1
#if defined(__clang__)
#define DHS_SHUFFLE(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
typedef int V8i __attribute__((vector_size(32)));
#define DHS_SHUFFLE(a, b, ...) __builtin_shuffle(a, b, V8i{__VA_ARGS__})
#endif
// 8 pixels x 8 channels (r[p] = channels of pixel p) -> r[c] = pixels of channel c
inline void transpose8(V8 r[8]) {
  V8 t[8], u[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = DHS_SHUFFLE(r[2 * i], r[2 * i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[2 * i + 1] = DHS_SHUFFLE(r[2 * i], r[2 * i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 2; ++i) {
    u[4 * i + 0] = DHS_SHUFFLE(t[4 * i], t[4 * i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[4 * i + 1] = DHS_SHUFFLE(t[4 * i], t[4 * i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[4 * i + 2] = DHS_SHUFFLE(t[4 * i + 1], t[4 * i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[4 * i + 3] = DHS_SHUFFLE(t[4 * i + 1], t[4 * i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = DHS_SHUFFLE(u[i], u[4 + i], 0, 1, 2, 3, 8, 9, 10, 11);
    r[4 + i] = DHS_SHUFFLE(u[i], u[4 + i], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}
#else
struct V8 {
  float v[8];
  V8& operator+=(const V8& o) {
    for (int l = 0; l < 8; ++l) v[l] += o.v[l];
    return *this;
  }
  friend V8 operator*(const V8& a, const V8& b) {
    V8 r;
    for (int l = 0; l < 8; ++l) r.v[l] = a.v[l] * b.v[l];
    return r;
  }
  friend V8 operator*(float a, const V8& b) {
    V8 r;
    for (int l = 0; l < 8; ++l) r.v[l] = a * b.v[l];
    return r;
  }
  friend V8 operator+(const V8& a, const V8& b) {
    V8 r;
    for (int l = 0; l < 8; ++l) r.v[l] = a.v[l] + b.v[l];
    return r;
  }
  friend V8 operator-(const V8& a, const V8& b) {
    V8 r;
    for (int l = 0; l < 8; ++l) r.v[l] = a.v[l] - b.v[l];
    return r;
  }
  friend V8 operator-(const V8& a) {
    V8 r;
    for (int l = 0; l < 8; ++l) r.v[l] = -a.v[l];
    return r;
  }
};
inline V8 max8(V8 a, V8 b) {
  for (int l = 0; l < 8; ++l) a.v[l] = a.v[l] > b.v[l] ? a.v[l] : b.v[l];
  return a;
}
inline V8 min8(V8 a, V8 b) {
  for (int l = 0; l < 8; ++l) a.v[l] = a.v[l] < b.v[l] ? a.v[l] : b.v[l];
  return a;
}
inline V8 load8(const float* p) {
  V8 r;
  std::memcpy(r.v, p, sizeof(r.v));
  return r;
}
inline void store8(float* p, V8 v) { std::memcpy(p, v.v, sizeof(v.v)); }
inline V8 splat8(float a) {
  V8 r;
  for (int l = 0; l < 8; ++l) r.v[l] = a;
  return r;
}
inline V8 relu8(V8 a) {
  for (int l = 0; l < 8; ++l) a.v[l] = a.v[l] > 0.0f ? a.v[l] : 0.0f;
  return a;
}
#endif

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

// ---------------------------------------------------------------------------------------------
// exp for the head's sigmoid, vectorisable: 2^n * p(r), x = n ln2 + r, |r| <= ln2 / 2 (Cephes expf's
// polynomial, relative error ~1e-7 over the clamped range).

inline float exp_approx(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

// ---------------------------------------------------------------------------------------------

// This thread's CPU time (the benchmark's clock: a shared machine's preemption is not counted).
double cpu_seconds() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
#else
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
#endif
}

struct Workspace {
  std::vector<float> planar_in;   // the source, [4][(H+2)(W+2)]
  std::vector<Act> levels;        // encoder outputs, level 0 = stem
  std::vector<Act> ups;           // up-block outputs but the last
  Act pooled, warped, m0, m1;
  std::vector<float> head_rows;   // the last up-block's newest 3 rows, each [C0][W+2] (planes)
  std::vector<float> head_zero;   // a zero row of those: the head's padding above and below
  std::vector<float> dwrow, ring, zero, tmp;
  float code[512], hidden[512], heads[2048], pa[512], pb[512], pt0[512], pt1[512];
};

class DinetMini {
 public:
  DinetMini(int64_t height, int64_t width, std::vector<int64_t> channels, int64_t res_blocks,
            std::vector<at::Tensor> params, at::Tensor ref)
      : H_(static_cast<int>(height)), W_(static_cast<int>(width)) {
    for (auto c : channels) ch_.push_back(static_cast<int>(c));
    L_ = static_cast<int>(ch_.size()) - 1;
    const int c = ch_.back();
    for (int v : ch_)
      if (v % kLanes != 0) throw std::invalid_argument("DinetMini: channels must be multiples of 8");
    if (c > 512) throw std::invalid_argument("DinetMini: at most 512 bottleneck channels");
    hs_.push_back(H_);
    ws_.push_back(W_);
    for (int i = 0; i < L_; ++i) {
      hs_.push_back((hs_.back() - 1) / 2 + 1);
      ws_.push_back((ws_.back() - 1) / 2 + 1);
    }
    size_t k = 0;
    auto next = [&]() -> std::vector<float> {
      if (k >= params.size()) throw std::invalid_argument("DinetMini: too few parameter tensors");
      at::Tensor t = params[k++].contiguous().to(at::kFloat);
      return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    };
    // stem: [C0][4][3][3] -> [ci][ky][kx][co]
    {
      auto w = next();
      stem_b_ = next();
      const int c0 = ch_[0];
      stem_w_.assign(static_cast<size_t>(4) * 9 * c0, 0.0f);
      for (int co = 0; co < c0; ++co)
        for (int ci = 0; ci < 4; ++ci)
          for (int t = 0; t < 9; ++t) stem_w_[(ci * 9 + t) * c0 + co] = w[(co * 4 + ci) * 9 + t];
    }
    auto sep = [&](int cin, int cout, int stride, bool dw_relu, bool residual) {
      Sep s;
      s.cin = cin;
      s.cout = cout;
      s.stride = stride;
      s.dw_relu = dw_relu;
      s.residual = residual;
      auto dw = next();
      s.dw_b = next();
      auto pw = next();
      s.pw_b = next();
      if (dw.size() != static_cast<size_t>(cin) * 9 || pw.size() != static_cast<size_t>(cin) * cout)
        throw std::invalid_argument("DinetMini: a separable block's weights have the wrong size");
      s.dw_w.resize(dw.size());
      for (int ch = 0; ch < cin; ++ch)
        for (int t = 0; t < 9; ++t) s.dw_w[t * cin + ch] = dw[ch * 9 + t];
      s.pw_w.resize(pw.size());
      for (int co = 0; co < cout; ++co)
        for (int ci = 0; ci < cin; ++ci) s.pw_w[ci * cout + co] = pw[co * cin + ci];
      return s;
    };
    for (int i = 0; i < L_; ++i) downs_.push_back(sep(ch_[i], ch_[i + 1], 2, true, false));
    param_ = sep(2 * c, c, 2, true, false);
    for (auto* v : {&l1_w_, &l1_b_, &s_w_, &s_b_, &r_w_, &r_b_, &t_w_, &t_b_}) *v = next();
    hidden_ = static_cast<int>(l1_b_.size());
    if (hidden_ > 512 || l1_w_.size() != static_cast<size_t>(hidden_) * c || t_b_.size() != 2u * c ||
        s_w_.size() != static_cast<size_t>(c) * hidden_ || r_w_.size() != s_w_.size() ||
        t_w_.size() != 2 * s_w_.size())
      throw std::invalid_argument("DinetMini: AdaAT's layers have the wrong size");
    // transposed: [in][out], the heads side by side (scale, rotation, translation)
    l1_t_.resize(l1_w_.size());
    for (int j = 0; j < hidden_; ++j)
      for (int i = 0; i < c; ++i) l1_t_[i * hidden_ + j] = l1_w_[j * c + i];
    heads_t_.assign(static_cast<size_t>(hidden_) * 4 * c, 0.0f);
    heads_b_.assign(4 * static_cast<size_t>(c), 0.0f);
    for (int j = 0; j < 4 * c; ++j) {
      const std::vector<float>& w = j < c ? s_w_ : (j < 2 * c ? r_w_ : t_w_);
      const std::vector<float>& bias = j < c ? s_b_ : (j < 2 * c ? r_b_ : t_b_);
      const int row = j < c ? j : (j < 2 * c ? j - c : j - 2 * c);
      heads_b_[j] = bias[row];
      for (int i = 0; i < hidden_; ++i) heads_t_[static_cast<size_t>(i) * 4 * c + j] = w[row * hidden_ + i];
    }
    merge_.push_back(sep(2 * c, c, 1, true, false));
    for (int r = 0; r < res_blocks; ++r) merge_.push_back(sep(c, c, 1, false, true));
    for (int j = 0; j < L_; ++j) {
      const int lo = L_ - j, hi = L_ - 1 - j;  // upsample level `lo` to `hi`, skip from `hi`
      ups_.push_back(sep(ch_[lo] + ch_[hi], ch_[hi], 1, true, false));
    }
    head_w_ = next();
    head_b_ = next();
    if (head_w_.size() != static_cast<size_t>(3) * ch_[0] * 9 || k != params.size())
      throw std::invalid_argument("DinetMini: parameter list does not match the model layout");
    // cached reference features [1, c, h, w]: NHWC (parameter encoder) and planes (the warp)
    at::Tensor r = ref.contiguous().to(at::kFloat);
    const int hL = hs_[L_], wL = ws_[L_];
    if (r.numel() != static_cast<int64_t>(c) * hL * wL)
      throw std::invalid_argument("DinetMini: reference features have the wrong shape");
    if (hL < 2 || wL < 2) throw std::invalid_argument("DinetMini: the bottleneck must be at least 2x2");
    const float* rp = r.data_ptr<float>();
    ref_planes_.assign(rp, rp + r.numel());
    ref_.init(hL, wL, c);
    for (int y = 0; y < hL; ++y)
      for (int x = 0; x < wL; ++x)
        for (int ch = 0; ch < c; ++ch) ref_.at(y, x)[ch] = rp[(ch * hL + y) * wL + x];
    // AdaAT's base grid, as torch.linspace(-1, 1, n) computes it (float32)
    gx_ = linspace(wL);
    gy_ = linspace(hL);
    for (int j = 0; j < L_; ++j) {
      const int lo = L_ - j, hi = L_ - 1 - j;
      up_x_.emplace_back();
      up_y_.emplace_back();
      up_x_.back().init(ws_[lo], ws_[hi]);
      up_y_.back().init(hs_[lo], hs_[hi]);
    }
    main_ = make_workspace();
  }

  at::Tensor forward(at::Tensor source) {
    if (source.dim() != 4 || source.size(1) != 4 || source.size(2) != H_ || source.size(3) != W_ ||
        source.scalar_type() != at::kFloat)
      throw std::invalid_argument("DinetMini.forward: source must be float32 [B, 4, H, W] of the model's crop");
    source = source.contiguous();
    const int64_t batch = source.size(0);
    at::Tensor out = at::empty({batch, 3, H_, W_}, source.options());
    const float* src = source.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const size_t in_frame = static_cast<size_t>(4) * H_ * W_, out_frame = static_cast<size_t>(3) * H_ * W_;
    if (batch == 1 || at::get_num_threads() == 1) {
      for (int64_t b = 0; b < batch; ++b) frame(*main_, src + b * in_frame, dst + b * out_frame);
      return out;
    }
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      std::unique_ptr<Workspace> ws = take_workspace();
      for (int64_t b = begin; b < end; ++b) frame(*ws, src + b * in_frame, dst + b * out_frame);
      give_back(std::move(ws));
    });
    return out;
  }

  // Seconds per frame in each stage over `repeats` frames of `source` [1, 4, H, W] (for the
  // benchmark's step-by-step table): stem, encoder downs, parameter encoder, AdaAT, merge + residual
  // blocks, each up-block (the last with the head, which runs inside it row by row).
  std::vector<double> stage_seconds(at::Tensor source, int64_t repeats) {
    source = source.contiguous();
    std::vector<double> times(static_cast<size_t>(L_) + 5, 0.0);
    std::vector<float> out(static_cast<size_t>(3) * H_ * W_);
    for (int64_t r = 0; r < repeats; ++r) frame(*main_, source.data_ptr<float>(), out.data(), times.data());
    for (double& t : times) t /= static_cast<double>(repeats);
    return times;
  }

 private:
  static std::vector<float> linspace(int n) {
    std::vector<float> v(n);
    const float step = 2.0f / static_cast<float>(n - 1);
    const int half = n / 2;
    for (int i = 0; i < n; ++i)
      v[i] = i < half ? -1.0f + step * static_cast<float>(i) : 1.0f - step * static_cast<float>(n - 1 - i);
    return v;
  }

  std::unique_ptr<Workspace> make_workspace() const {
    auto ws = std::make_unique<Workspace>();
    const int c = ch_.back();
    ws->planar_in.assign(static_cast<size_t>(4) * (H_ + 2) * (W_ + 2), 0.0f);
    ws->levels.resize(L_ + 1);
    for (int i = 0; i <= L_; ++i) ws->levels[i].init(hs_[i], ws_[i], ch_[i]);
    ws->pooled.init((hs_[L_] - 1) / 2 + 1, (ws_[L_] - 1) / 2 + 1, c);
    ws->warped.init(hs_[L_], ws_[L_], c);
    ws->m0.init(hs_[L_], ws_[L_], c);
    ws->m1.init(hs_[L_], ws_[L_], c);
    int max_c = 2 * c, max_w = W_;
    for (const auto& s : ups_) max_c = std::max(max_c, s.cin);
    ws->dwrow.assign(static_cast<size_t>(max_w) * max_c, 0.0f);
    ws->ring.assign(static_cast<size_t>(3) * (max_w + 2) * max_c, 0.0f);
    ws->zero.assign(static_cast<size_t>(max_w + 2) * max_c, 0.0f);
    ws->tmp.assign(static_cast<size_t>(max_w + 2) * max_c, 0.0f);
    ws->head_rows.assign(static_cast<size_t>(3) * ch_[0] * (W_ + 2), 0.0f);
    ws->head_zero.assign(static_cast<size_t>(ch_[0]) * (W_ + 2), 0.0f);
    ws->ups.resize(L_ > 0 ? L_ - 1 : 0);
    for (int j = 0; j + 1 < L_; ++j) ws->ups[j].init(hs_[L_ - 1 - j], ws_[L_ - 1 - j], ch_[L_ - 1 - j]);
    return ws;
  }

  std::unique_ptr<Workspace> take_workspace() {
    {
      std::lock_guard<std::mutex> lock(pool_mutex_);
      if (!pool_.empty()) {
        auto ws = std::move(pool_.back());
        pool_.pop_back();
        return ws;
      }
    }
    return make_workspace();
  }

  void give_back(std::unique_ptr<Workspace> ws) {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    pool_.push_back(std::move(ws));
  }

  // Dense 3x3 stem (4 -> C0) from the planar, zero-bordered input; ReLU.
  void stem(Workspace& ws) const {
    Act& out = ws.levels[0];
    const int c0 = ch_[0], pw = W_ + 2;
    const size_t plane = static_cast<size_t>(H_ + 2) * pw;
    constexpr int P = 8;
    for (int y = 0; y < H_; ++y) {
      float* orow = out.at(y, 0);
      for (int co = 0; co < c0; co += kLanes) {
        int x = 0;
        for (; x + P <= W_; x += P) stem_tile<P>(ws.planar_in.data(), plane, pw, y, x, co, orow + x * c0 + co, c0);
        for (; x < W_; ++x) stem_tile<1>(ws.planar_in.data(), plane, pw, y, x, co, orow + x * c0 + co, c0);
      }
    }
  }

  template <int P>
  void stem_tile(const float* DHS_RESTRICT in, size_t plane, int pw, int y, int x, int co,
                 float* DHS_RESTRICT out, int ost) const {
    const int c0 = ch_[0];
    V8 acc[P];
    const V8 bias = load8(stem_b_.data() + co);
    for (int p = 0; p < P; ++p) acc[p] = bias;
    for (int ci = 0; ci < 4; ++ci)
      for (int ky = 0; ky < 3; ++ky) {
        const float* DHS_RESTRICT r = in + ci * plane + static_cast<size_t>(y + ky) * pw + x;
        for (int kx = 0; kx < 3; ++kx) {
          const V8 w = load8(stem_w_.data() + ((ci * 3 + ky) * 3 + kx) * c0 + co);
          for (int p = 0; p < P; ++p) acc[p] += splat8(r[p + kx]) * w;
        }
      }
    for (int p = 0; p < P; ++p) store8(out + p * ost, relu8(acc[p]));
  }

  // One separable block over inputs a (and b, concatenated after a's channels), into `out` (NHWC)
  // or, when `image` is given (the last block), row by row into the head, which writes `image`: the
  // block's output then never leaves L1 (three rows of planes, the head's 3x3 window).
  void separable(Workspace& ws, const Sep& s, Input a, const Input* b, const Axis* ax, const Axis* ay,
                 Act* out, float* image = nullptr) const {
    const Act& ref_size = (a.upsample && b != nullptr) ? *b->act : *a.act;
    const int ho = a.upsample ? ref_size.h : (s.stride == 2 ? (ref_size.h - 1) / 2 + 1 : ref_size.h);
    const int wo = a.upsample ? ref_size.w : (s.stride == 2 ? (ref_size.w - 1) / 2 + 1 : ref_size.w);
    const int ct = s.cin;
    float* dwrow = ws.dwrow.data();
    const int ca = a.act->c;
    const size_t ring_row = static_cast<size_t>(wo + 2) * ca;
    auto ring_ptr = [&](int r) -> const float* {
      if (r < 0 || r >= ho) return ws.zero.data();
      return ws.ring.data() + static_cast<size_t>(r % 3) * ring_row;
    };
    if (a.upsample) {  // rows 0 (and 1) first; the ring's border columns stay zero
      for (int slot = 0; slot < 3; ++slot) {
        float* rrow = ws.ring.data() + slot * ring_row;
        std::fill(rrow, rrow + ca, 0.0f);
        std::fill(rrow + (wo + 1) * ca, rrow + (wo + 2) * ca, 0.0f);
      }
      for (int r = 0; r < std::min(2, ho); ++r)
        upsample_row(*a.act, *ax, *ay, r, ws.ring.data() + (r % 3) * ring_row + ca, ws.tmp.data());
    }
    for (int y = 0; y < ho; ++y) {
      // depthwise of input a
      const float* rows[3];
      if (a.upsample) {
        if (y + 1 < ho)
          upsample_row(*a.act, *ax, *ay, y + 1, ws.ring.data() + ((y + 1) % 3) * ring_row + ca, ws.tmp.data());
        for (int k = 0; k < 3; ++k) rows[k] = ring_ptr(y + k - 1);
      } else {
        for (int k = 0; k < 3; ++k) rows[k] = a.act->row(y * s.stride + k - 1);
      }
      if (s.stride == 2)
        dw_row<2>(rows, ca, wo, s.dw_w.data(), ct, s.dw_b.data(), s.dw_relu, dwrow, ct);
      else
        dw_row<1>(rows, ca, wo, s.dw_w.data(), ct, s.dw_b.data(), s.dw_relu, dwrow, ct);
      if (b != nullptr) {
        const int cb = b->act->c;
        for (int k = 0; k < 3; ++k) rows[k] = b->act->row(y * s.stride + k - 1);
        if (s.stride == 2)
          dw_row<2>(rows, cb, wo, s.dw_w.data() + ca, ct, s.dw_b.data() + ca, s.dw_relu, dwrow + ca, ct);
        else
          dw_row<1>(rows, cb, wo, s.dw_w.data() + ca, ct, s.dw_b.data() + ca, s.dw_relu, dwrow + ca, ct);
      }
      const float* res = s.residual ? a.act->at(y, 0) : nullptr;
      if (image == nullptr) {
        pw_row(dwrow, ct, wo, ct, s.pw_w.data(), s.cout, s.pw_b.data(), res, s.cout, out->at(y, 0), s.cout);
      } else {  // through the tmp row into the head's ring of planes; the head's row y - 1 is then ready
        float* t = ws.tmp.data();
        pw_row(dwrow, ct, wo, ct, s.pw_w.data(), s.cout, s.pw_b.data(), res, s.cout, t, s.cout);
        float* slot = head_slot(ws, y);
        int x0 = 0;
#if defined(DHS_HAVE_SHUFFLE)
        for (; x0 + kLanes <= wo; x0 += kLanes)  // 8 x 8 blocks transposed in registers (vs 64 scalar
                                                   // stores: ~0.02 ms of 1.13 per frame at mouth 64)
          for (int g = 0; g < s.cout; g += kLanes) {
            V8 r[kLanes];
            for (int p = 0; p < kLanes; ++p) r[p] = load8(t + (x0 + p) * s.cout + g);
            transpose8(r);
            for (int c = 0; c < kLanes; ++c) store8(slot + static_cast<size_t>(g + c) * (W_ + 2) + 1 + x0, r[c]);
          }
#endif
        for (int co = 0; co < s.cout; ++co) {
          float* DHS_RESTRICT p = slot + static_cast<size_t>(co) * (W_ + 2) + 1;
          for (int x = x0; x < wo; ++x) p[x] = t[x * s.cout + co];
        }
        if (y >= 1) head_row(ws, y - 1, image);
      }
    }
    if (image != nullptr) head_row(ws, ho - 1, image);
  }

  float* head_slot(Workspace& ws, int y) const {
    return ws.head_rows.data() + static_cast<size_t>(y % 3) * ch_[0] * (W_ + 2);
  }

  void adaat(Workspace& ws, const Act& pooled) const {
    const int c = ch_.back(), n = pooled.h * pooled.w;
    for (int ch = 0; ch < c; ++ch) ws.code[ch] = 0.0f;
    for (int y = 0; y < pooled.h; ++y)
      for (int x = 0; x < pooled.w; ++x) {
        const float* p = pooled.at(y, x);
        for (int ch = 0; ch < c; ++ch) ws.code[ch] += p[ch];
      }
    for (int ch = 0; ch < c; ++ch) ws.code[ch] /= static_cast<float>(n);
    // the MLP as sums of weight rows (transposed at construction): vectorised, no serial reductions
    float* DHS_RESTRICT hid = ws.hidden;
    for (int j = 0; j < hidden_; ++j) hid[j] = l1_b_[j];
    for (int i = 0; i < c; ++i) {
      const float a = ws.code[i];
      const float* DHS_RESTRICT w = l1_t_.data() + static_cast<size_t>(i) * hidden_;
      for (int j = 0; j < hidden_; ++j) hid[j] += a * w[j];
    }
    for (int j = 0; j < hidden_; ++j) hid[j] = std::max(hid[j], 0.0f);
    float* DHS_RESTRICT heads = ws.heads;  // scale [c], rotation [c], translation [2c]
    for (int j = 0; j < 4 * c; ++j) heads[j] = heads_b_[j];
    for (int i = 0; i < hidden_; ++i) {
      const float a = hid[i];
      const float* DHS_RESTRICT w = heads_t_.data() + static_cast<size_t>(i) * 4 * c;
      for (int j = 0; j < 4 * c; ++j) heads[j] += a * w[j];
    }
    const int hL = ref_.h, wL = ref_.w;
    const float hx = 0.5f * static_cast<float>(wL - 1), hy = 0.5f * static_cast<float>(hL - 1);
    for (int ch = 0; ch < c; ++ch) {
      const float scale = 2.0f / (1.0f + std::exp(-heads[ch]));
      const float angle = 3.14159265358979323846f * std::tanh(heads[c + ch]);
      const float tx = std::tanh(heads[2 * c + 2 * ch]), ty = std::tanh(heads[2 * c + 2 * ch + 1]);
      ws.pa[ch] = std::cos(angle) * scale;
      ws.pb[ch] = std::sin(angle) * scale;
      ws.pt0[ch] = tx;
      ws.pt1[ch] = ty;
    }
    // GatherAdaAT's form of the sampling: the 2x2 cell's top-left corner clamped into the map and
    // tent weights max(0, 1 - |p - corner|) (0 on corners off the map: zeros padding); 8 channels
    // at a time, each with its own transform, so the four corners are gathered lane by lane
    const V8 lim_x = splat8(static_cast<float>(wL - 2)), lim_y = splat8(static_cast<float>(hL - 2));
    const V8 zero = splat8(0.0f), one = splat8(1.0f), vhx = splat8(hx), vhy = splat8(hy);
    const int hw = hL * wL;
    alignas(32) float cx[kLanes], cy[kLanes], g00[kLanes], g01[kLanes], g10[kLanes], g11[kLanes];
    for (int y = 0; y < hL; ++y)
      for (int x = 0; x < wL; ++x) {
        const V8 gx = splat8(gx_[x]), gy = splat8(gy_[y]);
        float* DHS_RESTRICT dst = ws.warped.at(y, x);
        for (int g = 0; g < c; g += kLanes) {
          const V8 a = load8(ws.pa + g), b = load8(ws.pb + g);
          const V8 px = (a * gx - b * gy + load8(ws.pt0 + g) + one) * vhx;
          const V8 py = (b * gx + a * gy + load8(ws.pt1 + g) + one) * vhy;
          store8(cx, min8(max8(px, zero), lim_x));
          store8(cy, min8(max8(py, zero), lim_y));
          for (int l = 0; l < kLanes; ++l) {  // clamped to >= 0 first, so truncation is floor
            const int ix = static_cast<int>(cx[l]), iy = static_cast<int>(cy[l]);
            cx[l] = static_cast<float>(ix);
            cy[l] = static_cast<float>(iy);
            const float* DHS_RESTRICT p = ref_planes_.data() + (g + l) * hw + iy * wL + ix;
            g00[l] = p[0];
            g01[l] = p[1];
            g10[l] = p[wL];
            g11[l] = p[wL + 1];
          }
          const V8 dx = px - load8(cx), dy = py - load8(cy);
          const V8 dx1 = dx - one, dy1 = dy - one;
          const V8 wx0 = max8(zero, one - max8(dx, -dx)), wx1 = max8(zero, one - max8(dx1, -dx1));
          const V8 wy0 = max8(zero, one - max8(dy, -dy)), wy1 = max8(zero, one - max8(dy1, -dy1));
          store8(dst + g, wy0 * (wx0 * load8(g00) + wx1 * load8(g01)) + wy1 * (wx0 * load8(g10) + wx1 * load8(g11)));
        }
      }
  }

  // Row y of the 3x3 head (C0 -> 3) + sigmoid from the last block's rows y - 1 .. y + 1 (planes), 8
  // pixels per vector.
  void head_row(Workspace& ws, int y, float* DHS_RESTRICT out) const {
    const int c0 = ch_[0], pw = W_ + 2;
    const size_t oplane = static_cast<size_t>(H_) * W_;
    const float* rows[3];
    for (int k = 0; k < 3; ++k) {
      const int r = y + k - 1;
      rows[k] = (r < 0 || r >= H_) ? ws.head_zero.data() : head_slot(ws, r);
    }
    int x = 0;
    for (; x + 4 * kLanes <= W_; x += 4 * kLanes) head_tile<4 * kLanes>(rows, pw, c0, y, x, out, oplane);
    for (; x + 2 * kLanes <= W_; x += 2 * kLanes) head_tile<2 * kLanes>(rows, pw, c0, y, x, out, oplane);
    for (; x + kLanes <= W_; x += kLanes) head_tile<kLanes>(rows, pw, c0, y, x, out, oplane);
    for (; x < W_; ++x) head_pixel(rows, pw, c0, y, x, out, oplane);
    for (int o = 0; o < 3; ++o) {
      float* DHS_RESTRICT d = out + o * oplane + static_cast<size_t>(y) * W_;
      for (int i = 0; i < W_; ++i) d[i] = 1.0f / (1.0f + exp_approx(-d[i]));
    }
  }

  template <int N>  // N pixels, a multiple of 8
  void head_tile(const float* const rows[3], int pw, int c0, int y, int x, float* DHS_RESTRICT out,
                 size_t oplane) const {
    constexpr int J = N / kLanes;
    V8 acc[3][J];
    for (int o = 0; o < 3; ++o)
      for (int i = 0; i < J; ++i) acc[o][i] = splat8(head_b_[o]);
    for (int ci = 0; ci < c0; ++ci)
      for (int ky = 0; ky < 3; ++ky) {
        const float* DHS_RESTRICT r = rows[ky] + ci * pw + x;
        for (int kx = 0; kx < 3; ++kx) {
          const V8 w0 = splat8(head_w_[((0 * c0 + ci) * 3 + ky) * 3 + kx]);
          const V8 w1 = splat8(head_w_[((1 * c0 + ci) * 3 + ky) * 3 + kx]);
          const V8 w2 = splat8(head_w_[((2 * c0 + ci) * 3 + ky) * 3 + kx]);
          for (int i = 0; i < J; ++i) {
            const V8 v = load8(r + i * kLanes + kx);
            acc[0][i] += w0 * v;
            acc[1][i] += w1 * v;
            acc[2][i] += w2 * v;
          }
        }
      }
    for (int o = 0; o < 3; ++o) {
      float* DHS_RESTRICT d = out + o * oplane + static_cast<size_t>(y) * W_ + x;
      for (int i = 0; i < J; ++i) store8(d + i * kLanes, acc[o][i]);
    }
  }

  // the head's last columns when the width is not a multiple of 8
  void head_pixel(const float* const rows[3], int pw, int c0, int y, int x, float* out, size_t oplane) const {
    for (int o = 0; o < 3; ++o) {
      float v = head_b_[o];
      for (int ci = 0; ci < c0; ++ci)
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx)
            v += head_w_[((o * c0 + ci) * 3 + ky) * 3 + kx] * rows[ky][ci * pw + x + kx];
      out[o * oplane + static_cast<size_t>(y) * W_ + x] = v;
    }
  }

  // Per-stage seconds, summed into `times` when given (stem, downs, param, adaat, merge, ups..., head).
  void frame(Workspace& ws, const float* src, float* dst, double* times = nullptr) const {
    double t_last = times != nullptr ? cpu_seconds() : 0.0;
    int stage = 0;
    auto tick = [&]() {
      if (times == nullptr) return;
      const double now = cpu_seconds();
      times[stage++] += now - t_last;
      t_last = now;
    };
    const int pw = W_ + 2;
    const size_t plane = static_cast<size_t>(H_ + 2) * pw;
    for (int ci = 0; ci < 4; ++ci)
      for (int y = 0; y < H_; ++y)
        std::memcpy(ws.planar_in.data() + ci * plane + static_cast<size_t>(y + 1) * pw + 1,
                    src + (static_cast<size_t>(ci) * H_ + y) * W_, sizeof(float) * W_);
    stem(ws);
    tick();
    for (int i = 0; i < L_; ++i)
      separable(ws, downs_[i], {&ws.levels[i], false}, nullptr, nullptr, nullptr, &ws.levels[i + 1]);
    tick();
    const Input refin{&ref_, false};
    separable(ws, param_, {&ws.levels[L_], false}, &refin, nullptr, nullptr, &ws.pooled);
    tick();
    adaat(ws, ws.pooled);
    tick();
    const Input warped{&ws.warped, false};
    separable(ws, merge_[0], {&ws.levels[L_], false}, &warped, nullptr, nullptr, &ws.m0);
    Act* cur = &ws.m0;
    Act* other = &ws.m1;
    for (size_t r = 1; r < merge_.size(); ++r) {
      separable(ws, merge_[r], {cur, false}, nullptr, nullptr, nullptr, other);
      std::swap(cur, other);
    }
    tick();
    for (int j = 0; j < L_; ++j) {
      const Input skip{&ws.levels[L_ - 1 - j], false};
      const bool last = j == L_ - 1;
      Act* target = last ? nullptr : &ws.ups[j];
      separable(ws, ups_[j], {cur, true}, &skip, &up_x_[j], &up_y_[j], target, last ? dst : nullptr);
      if (!last) cur = target;
      tick();
    }
  }

  int H_, W_, L_ = 0, hidden_ = 0;
  std::vector<int> ch_, hs_, ws_;
  std::vector<float> stem_w_, stem_b_, head_w_, head_b_;
  std::vector<Sep> downs_, merge_, ups_;
  Sep param_;
  std::vector<float> l1_w_, l1_b_, s_w_, s_b_, r_w_, r_b_, t_w_, t_b_, l1_t_, heads_t_, heads_b_;
  Act ref_;
  std::vector<float> ref_planes_, gx_, gy_;
  std::vector<Axis> up_x_, up_y_;
  std::unique_ptr<Workspace> main_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Workspace>> pool_;
};

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "DINet mini's cached-reference forward, fused for the CPU";
  pybind11::class_<DinetMini>(m, "DinetMini")
      .def(pybind11::init<int64_t, int64_t, std::vector<int64_t>, int64_t, std::vector<at::Tensor>, at::Tensor>())
      .def("forward", &DinetMini::forward, pybind11::call_guard<pybind11::gil_scoped_release>())
      .def("stage_seconds", &DinetMini::stage_seconds, pybind11::call_guard<pybind11::gil_scoped_release>());
}
