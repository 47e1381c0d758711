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
// The vectors and the row kernels are in mini_vec.h and mini_rows.h; here: the model, the workspace,
// the stages in forward order and the Python binding. The model layout (channels, levels, residual
// blocks) comes from Python (core/lipsync/native_mini.py), which also declines what this file does
// not run (attention modules, widths not a multiple of 8).

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

#include "mini_rows.h"
#include "mini_vec.h"

namespace {

using namespace dhs_mini;

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
    pool_.push_back(make_workspace());
  }

  at::Tensor forward(at::Tensor source) {
    check_source(source);
    source = source.contiguous();
    const int64_t batch = source.size(0);
    at::Tensor out = at::empty({batch, 3, H_, W_}, source.options());
    const float* src = source.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const size_t in_frame = static_cast<size_t>(4) * H_ * W_, out_frame = static_cast<size_t>(3) * H_ * W_;
    // each caller (or worker) takes a workspace from the pool and gives it back: the GIL is released,
    // so two Python threads may render at once; after the first calls nothing is allocated
    if (batch == 1 || at::get_num_threads() == 1) {
      std::unique_ptr<Workspace> ws = take_workspace();
      for (int64_t b = 0; b < batch; ++b) frame(*ws, src + b * in_frame, dst + b * out_frame);
      give_back(std::move(ws));
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
    check_source(source);
    if (source.size(0) < 1) throw std::invalid_argument("DinetMini.stage_seconds: an empty batch");
    source = source.contiguous();
    std::vector<double> times(static_cast<size_t>(L_) + 5, 0.0);
    std::vector<float> out(static_cast<size_t>(3) * H_ * W_);
    std::unique_ptr<Workspace> ws = take_workspace();
    for (int64_t r = 0; r < repeats; ++r) frame(*ws, source.data_ptr<float>(), out.data(), times.data());
    give_back(std::move(ws));
    for (double& t : times) t /= static_cast<double>(repeats);
    return times;
  }

 private:
  void check_source(const at::Tensor& source) const {
    if (source.dim() != 4 || source.size(1) != 4 || source.size(2) != H_ || source.size(3) != W_ ||
        source.scalar_type() != at::kFloat || source.device().type() != at::kCPU)
      throw std::invalid_argument("DinetMini: the source must be float32 [B, 4, H, W] of the model's crop, on the CPU");
  }

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
