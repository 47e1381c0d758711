// Per-tile kernels of the fused CPU rasterizer, free of torch headers (rasterize.cpp binds them).
//
// Inside a tile the loop runs over the tile's depth-sorted Gaussians, then over the rows of the
// tile each one can reach and, innermost, over pixels as one branch-free SIMD loop (`#pragma omp
// simd`; the threads are rasterize.cpp's, one tile each at a time). Flags are masks or 0/1 values
// of the float type and every update is a select, so the compiler turns the pixel loop into vector
// code; these loops hold no local arrays (GCC keeps those in memory, one copy per SIMD lane).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

namespace dhs {

constexpr int kMaxTile = 32;
constexpr int kMaxPixels = kMaxTile * kMaxTile;
constexpr int kMaxFeatures = 8;
// Gaussians composited per pass over a row of a tile (forward). 1 measured fastest (10k Gaussians at
// 256^2, one thread, kernel forward: 22.6 ms; 2: 24.0; before the row skipping 4: 23.7, 8: 24.0,
// 16: 25.6): a larger chunk keeps a pixel's state in registers longer, but must visit every row any of
// its Gaussians reaches, and 4 consecutive Gaussians together reach ~96% of a tile's rows where one
// alone reaches ~75%.
constexpr int kChunk = 1;
// Chunks between the forward's checks for rows (and tiles) whose pixels have all ended: checking a
// row after every Gaussian (a horizontal sum) took ~15% of the forward.
constexpr int kEndCheck = 8;

struct Options {
  int64_t width, height, tile, tiles_x, tiles_y;
  double alpha_min, alpha_max, t_min;
};

// exp(x) for x <= 0 (Cephes expf polynomial, ~1 ulp), written without library calls so the pixel
// loop vectorises. Arguments below -30 are clamped: exp(-30) ~ 1e-13 is far below any alpha_min,
// and the clamp keeps every value normal (subnormal arithmetic is ~100x slower on x86). float64
// uses the library exp: that path serves the reference tests, not speed.
inline float exp_neg(float x) {
  x = std::max(x, -30.0f);
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to the nearest integer
  const float n = (x * 1.44269504088896341f + magic) - magic;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return y * scale;
}
inline double exp_neg(double x) { return std::exp(std::max(x, -30.0)); }

// Stable LSD radix sort of ``index`` by the unsigned ``keys`` (3 passes of 11 bits): the order of
// non-negative float32 depths is that of their bit patterns, and stability keeps ties by index.
inline void radix_sort_by_key(std::vector<uint32_t>& keys, std::vector<int32_t>& index) {
  const size_t m = keys.size();
  std::vector<uint32_t> keys2(m);
  std::vector<int32_t> index2(m);
  for (int shift = 0; shift < 32; shift += 11) {
    size_t count[2049] = {0};
    for (size_t i = 0; i < m; ++i) ++count[((keys[i] >> shift) & 2047u) + 1];
    for (int b = 0; b < 2048; ++b) count[b + 1] += count[b];
    for (size_t i = 0; i < m; ++i) {
      const size_t at = count[(keys[i] >> shift) & 2047u]++;
      keys2[at] = keys[i], index2[at] = index[i];
    }
    keys.swap(keys2), index.swap(index2);
  }
}

// Visible Gaussians (radii > 0) in depth order, front to back (ties by index, as a stable sort).
// float32 depths that are all >= 0 (visible ones lie beyond the near plane) take the radix sort.
template <typename scalar_t>
std::vector<int32_t> depth_order(const int32_t* radii, const scalar_t* depths, int64_t n) {
  if constexpr (std::is_same_v<scalar_t, float>) {
    std::vector<uint32_t> keys;
    std::vector<int32_t> order;
    keys.reserve(n), order.reserve(n);
    bool sortable = true;
    for (int64_t i = 0; i < n; ++i) {
      if (radii[2 * i] > 0 && radii[2 * i + 1] > 0) {
        uint32_t bits;
        std::memcpy(&bits, depths + i, sizeof(bits));
        sortable &= bits <= 0x7f800000u;  // +0 .. +inf: no sign bit, no NaN
        keys.push_back(bits), order.push_back(static_cast<int32_t>(i));
      }
    }
    if (sortable) {
      radix_sort_by_key(keys, order);
      return order;
    }
  }
  std::vector<std::pair<scalar_t, int32_t>> keyed;  // (depth, index): sorting pairs breaks ties by index
  keyed.reserve(n);
  for (int64_t i = 0; i < n; ++i)
    if (radii[2 * i] > 0 && radii[2 * i + 1] > 0) keyed.emplace_back(depths[i], static_cast<int32_t>(i));
  std::sort(keyed.begin(), keyed.end());
  std::vector<int32_t> order(keyed.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

// The (tile, Gaussian) pairs of order[begin:end], in that order. A tile gets a Gaussian only when
// some pixel centre of the tile can reach alpha >= alpha_min (exact minimum of the quadratic form
// over the tile's pixel-centre rectangle, with the same 1e-4 slack as the PyTorch binning), so
// binning never changes the image.
template <typename scalar_t>
void tile_hits(const scalar_t* means, const scalar_t* conics, const scalar_t* opac, const int32_t* radii,
               const int32_t* order, int64_t begin, int64_t end, const Options& o,
               std::vector<std::pair<int32_t, int32_t>>& hits) {
  const double ts = static_cast<double>(o.tile);
  const double log_amin = std::log(o.alpha_min);
  for (int64_t i = begin; i < end; ++i) {
    const int32_t g = order[i];
    const double mx = means[2 * g], my = means[2 * g + 1];
    const double rx = radii[2 * g], ry = radii[2 * g + 1];
    const int64_t x0 = std::clamp<int64_t>(static_cast<int64_t>(std::floor((mx - rx) / ts)), 0, o.tiles_x);
    const int64_t x1 = std::clamp<int64_t>(static_cast<int64_t>(std::ceil((mx + rx) / ts)), 0, o.tiles_x);
    const int64_t y0 = std::clamp<int64_t>(static_cast<int64_t>(std::floor((my - ry) / ts)), 0, o.tiles_y);
    const int64_t y1 = std::clamp<int64_t>(static_cast<int64_t>(std::ceil((my + ry) / ts)), 0, o.tiles_y);
    if ((x1 - x0) * (y1 - y0) == 1) {  // one candidate tile: the test could only save little work
      hits.emplace_back(static_cast<int32_t>(y0 * o.tiles_x + x0), g);
      continue;
    }
    const double a = conics[3 * g], b = conics[3 * g + 1], c = conics[3 * g + 2];
    const double ba = b / a, bc = b / c;
    const double budget = std::log(std::max<double>(opac[g], 1e-30)) - log_amin + 1e-4;
    auto q = [&](double dx, double dy) { return 0.5 * (a * dx * dx + c * dy * dy) + b * dx * dy; };
    for (int64_t ty = y0; ty < y1; ++ty) {
      for (int64_t tx = x0; tx < x1; ++tx) {
        const double xl = tx * ts + 0.5 - mx, yl = ty * ts + 0.5 - my;
        const double xh = xl + (ts - 1), yh = yl + (ts - 1);
        double best = (xl <= 0 && xh >= 0 && yl <= 0 && yh >= 0) ? 0.0 : INFINITY;
        for (double x : {xl, xh}) best = std::min(best, q(x, std::clamp(-bc * x, yl, yh)));
        for (double y : {yl, yh}) best = std::min(best, q(std::clamp(-ba * y, xl, xh), y));
        if (best <= budget) hits.emplace_back(static_cast<int32_t>(ty * o.tiles_x + tx), g);
      }
    }
  }
}

// Per-pixel feature values as kF separate scalars v0..v7 (the rest stay as they are), from rows
// ``stride`` apart; add_features adds w times kF values ``stride`` apart to them, store_features
// writes them back, dot_features is f . v. For the SIMD pixel loops, which must not hold a local array (see forward_tile).
template <int kF, typename scalar_t>
inline void load_features(const scalar_t* src, int64_t stride, scalar_t& v0, scalar_t& v1, scalar_t& v2,
                          scalar_t& v3, scalar_t& v4, scalar_t& v5, scalar_t& v6, scalar_t& v7) {
  v0 = src[0];
  if constexpr (kF > 1) v1 = src[stride];
  if constexpr (kF > 2) v2 = src[2 * stride];
  if constexpr (kF > 3) v3 = src[3 * stride];
  if constexpr (kF > 4) v4 = src[4 * stride];
  if constexpr (kF > 5) v5 = src[5 * stride];
  if constexpr (kF > 6) v6 = src[6 * stride];
  if constexpr (kF > 7) v7 = src[7 * stride];
}
template <int kF, typename scalar_t>
inline void add_features(scalar_t w, const scalar_t* f, int64_t stride, scalar_t& v0, scalar_t& v1, scalar_t& v2,
                         scalar_t& v3, scalar_t& v4, scalar_t& v5, scalar_t& v6, scalar_t& v7) {
  v0 += w * f[0];
  if constexpr (kF > 1) v1 += w * f[stride];
  if constexpr (kF > 2) v2 += w * f[2 * stride];
  if constexpr (kF > 3) v3 += w * f[3 * stride];
  if constexpr (kF > 4) v4 += w * f[4 * stride];
  if constexpr (kF > 5) v5 += w * f[5 * stride];
  if constexpr (kF > 6) v6 += w * f[6 * stride];
  if constexpr (kF > 7) v7 += w * f[7 * stride];
}
template <int kF, typename scalar_t>
inline scalar_t dot_features(const scalar_t* f, scalar_t v0, scalar_t v1, scalar_t v2, scalar_t v3, scalar_t v4,
                             scalar_t v5, scalar_t v6, scalar_t v7) {
  scalar_t sum = f[0] * v0;
  if constexpr (kF > 1) sum += f[1] * v1;
  if constexpr (kF > 2) sum += f[2] * v2;
  if constexpr (kF > 3) sum += f[3] * v3;
  if constexpr (kF > 4) sum += f[4] * v4;
  if constexpr (kF > 5) sum += f[5] * v5;
  if constexpr (kF > 6) sum += f[6] * v6;
  if constexpr (kF > 7) sum += f[7] * v7;
  return sum;
}
template <int kF, typename scalar_t>
inline void store_features(scalar_t* dst, int64_t stride, scalar_t v0, scalar_t v1, scalar_t v2, scalar_t v3,
                           scalar_t v4, scalar_t v5, scalar_t v6, scalar_t v7) {
  dst[0] = v0;
  if constexpr (kF > 1) dst[stride] = v1;
  if constexpr (kF > 2) dst[2 * stride] = v2;
  if constexpr (kF > 3) dst[3 * stride] = v3;
  if constexpr (kF > 4) dst[4 * stride] = v4;
  if constexpr (kF > 5) dst[5 * stride] = v5;
  if constexpr (kF > 6) dst[6 * stride] = v6;
  if constexpr (kF > 7) dst[7 * stride] = v7;
}

template <typename scalar_t>
struct Splat {
  scalar_t mx, my, a, b, c, o;
};

template <typename scalar_t>
inline Splat<scalar_t> splat(const scalar_t* means, const scalar_t* conics, const scalar_t* opac, int32_t g) {
  return {means[2 * g], means[2 * g + 1], conics[3 * g], conics[3 * g + 1], conics[3 * g + 2], opac[g]};
}

// Half-height (pixels) of the region where a Gaussian can reach alpha >= alpha_min: there
// o exp(-sigma) >= alpha_min, i.e. sigma <= s = log(o / alpha_min), an ellipse reaching
// sqrt(2 s a / (a c - b^2)) above and below its centre. Padded well beyond float32 rounding of sigma
// (a row skipped on its account must have no pixel that composites the Gaussian). Negative: no pixel
// can (o below alpha_min); +inf: unknown (a conic that is not positive definite, or NaN/inf inputs),
// every row. One value per Gaussian: the tile kernels skip the rows of a tile it cannot reach.
template <typename scalar_t>
inline scalar_t reach_half_height(scalar_t a, scalar_t b, scalar_t c, scalar_t o, double log_amin) {
  const double det = static_cast<double>(a) * c - static_cast<double>(b) * b;
  const double budget = std::log(static_cast<double>(o)) - log_amin + 1e-2;
  if (budget < 0) return scalar_t(-1);  // also o <= 0 (log -inf); NaN falls through
  const double half = std::sqrt(2 * budget * a / det) * 1.001 + 0.01;
  if (!(det > 0 && a > 0 && half < 1e30)) return std::numeric_limits<scalar_t>::infinity();
  return static_cast<scalar_t>(half);
}

// The rows [first, last] of a tile (its first pixel row ``y0``, ``ts`` rows) that a Gaussian centred
// at row coordinate ``my`` reaches by ``half`` (reach_half_height); first > last: none.
template <typename scalar_t>
inline std::pair<int, int> reach_rows(scalar_t my, scalar_t half, int64_t y0, int64_t ts) {
  if (half < 0) return {0, -1};
  const double centre = static_cast<double>(my) - (static_cast<double>(y0) + 0.5);
  const double lo = std::ceil(centre - half), hi = std::floor(centre + half);
  if (!(lo <= hi)) return lo > hi ? std::pair<int, int>{0, -1} : std::pair<int, int>{0, int(ts - 1)};  // NaN: all
  const int first = static_cast<int>(std::clamp(lo, 0.0, static_cast<double>(ts)));
  const int last = static_cast<int>(std::clamp(hi, -1.0, static_cast<double>(ts - 1)));
  return {first, last};
}

// Composite one tile. Writes the tile's pixels of image [H, W, D], alphas [H, W],
// t_final [H, W] and last [H, W] (index in the tile's list of the last composited Gaussian, -1: none).
// ``TS`` > 0: the tile size as a compile-time constant (fixed trip counts, no masked remainder
// loops); 0: taken from ``o.tile``. ``DF`` > 0: the feature count as a constant; 0: ``D``.
//
// The Gaussians go through in chunks of kChunk: for each pixel (the SIMD lanes) the chunk's
// Gaussians are composited in order with the pixel's transmittance, flags and accumulated features
// held in registers. A chunk goes over only the rows of the tile its Gaussians reach (reach_rows:
// elsewhere their alpha is below alpha_min, so skipping changes nothing) and whose pixels have not
// all ended (checked every kEndCheck chunks); along a row dy is fixed, so each Gaussian's dy terms of
// sigma are worked out once per row. The tile stops at the first such check after its last pixel
// ended (later Gaussians would change nothing).
//   sigma = dx (a/2 dx + b dy) + c/2 dy^2   (the backward evaluates the same form)
template <typename scalar_t, int TS, int DF>
void forward_tile(int64_t tile, const scalar_t* means, const scalar_t* conics, const scalar_t* opac,
                  const scalar_t* feat, const scalar_t* half, int64_t D, const int32_t* offsets, const int32_t* ids,
                  const Options& o, scalar_t* image, scalar_t* alphas, scalar_t* t_final, int32_t* last) {
  constexpr int kF = DF > 0 ? DF : kMaxFeatures;
  const int64_t ts = TS > 0 ? TS : o.tile, P = ts * ts, Dn = DF > 0 ? DF : D;
  const scalar_t amin = o.alpha_min, amax = o.alpha_max, tmin = o.t_min;
  alignas(64) scalar_t px[kMaxTile], T[kMaxPixels], done[kMaxPixels], lastk[kMaxPixels];
  alignas(64) scalar_t acc[kMaxFeatures * kMaxPixels];
  alignas(64) scalar_t cmx[kChunk], cmy[kChunk], cha[kChunk], cb[kChunk], chc[kChunk], co[kChunk];
  alignas(64) scalar_t rb[kChunk], rc[kChunk];  // per row: b dy and c/2 dy^2 of each Gaussian
  alignas(64) scalar_t cf[kMaxFeatures][kChunk];
  bool row_ended[kMaxTile];
  std::fill(acc, acc + kF * P, scalar_t(0));  // DF == 0: all kMaxFeatures rows (the unused stay 0)
  std::fill(&cf[0][0], &cf[0][0] + kMaxFeatures * kChunk, scalar_t(0));
  std::fill(row_ended, row_ended + ts, false);
  const int64_t tx = tile % o.tiles_x, ty = tile / o.tiles_x;
  for (int64_t x = 0; x < ts; ++x)  // via int32: AVX2/SSE have no vector int64 -> float conversion
    px[x] = static_cast<scalar_t>(static_cast<int32_t>(tx * ts + x)) + scalar_t(0.5);
  for (int64_t p = 0; p < P; ++p) T[p] = 1, done[p] = 0, lastk[p] = -1;
  const int32_t begin = offsets[tile], end = offsets[tile + 1];
  for (int32_t k0 = begin; k0 < end; k0 += kChunk) {
    const int n = std::min<int32_t>(kChunk, end - k0);
    for (int j = n; j < kChunk; ++j)  // padding: opacity 0 is below alpha_min, so it changes nothing
      cmx[j] = cmy[j] = cha[j] = cb[j] = chc[j] = co[j] = 0;
    int r0 = static_cast<int>(ts), r1 = -1;  // the rows some Gaussian of the chunk reaches
    for (int j = 0; j < n; ++j) {
      const int32_t g = ids[k0 + j];
      const auto [first, last_row] = reach_rows(means[2 * g + 1], half[g], ty * ts, ts);
      if (first <= last_row) r0 = std::min(r0, first), r1 = std::max(r1, last_row);
      cmx[j] = means[2 * g], cmy[j] = means[2 * g + 1];
      cha[j] = scalar_t(0.5) * conics[3 * g], cb[j] = conics[3 * g + 1], chc[j] = scalar_t(0.5) * conics[3 * g + 2];
      co[j] = opac[g];
      for (int64_t d = 0; d < Dn; ++d) cf[d][j] = feat[static_cast<int64_t>(g) * Dn + d];
    }
    const scalar_t kbase = static_cast<scalar_t>(k0 - begin);
    for (int64_t r = r0; r <= r1; ++r) {
      if (row_ended[r]) continue;
      const scalar_t y = static_cast<scalar_t>(static_cast<int32_t>(ty * ts + r)) + scalar_t(0.5);
#pragma omp simd
      for (int j = 0; j < kChunk; ++j) {
        const scalar_t dy = y - cmy[j];
        rb[j] = cb[j] * dy, rc[j] = chc[j] * dy * dy;
      }
      scalar_t* const Tr = T + r * ts;
      scalar_t* const doner = done + r * ts;
      scalar_t* const lastr = lastk + r * ts;
      scalar_t* const accr = acc + r * ts;
#pragma omp simd
      for (int64_t x = 0; x < ts; ++x) {
        scalar_t t = Tr[x], lk = lastr[x];
        bool dn = doner[x] != 0;
        // accumulated features as separate scalars: GCC keeps a local array of an omp simd loop in
        // memory (one copy per lane), which more than doubled the loop's instructions
        scalar_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        load_features<kF>(accr + x, P, a0, a1, a2, a3, a4, a5, a6, a7);
#pragma GCC unroll 16
        for (int j = 0; j < kChunk; ++j) {  // unrolled: the pixel loop stays innermost and vectorises
          const scalar_t dx = px[x] - cmx[j];
          const scalar_t sigma = dx * (cha[j] * dx + rb[j]) + rc[j];
          const scalar_t alpha = std::min(amax, co[j] * exp_neg(-sigma));
          const scalar_t next = t * (scalar_t(1) - alpha);
          // flags as masks (0/1 float arithmetic, as the backward has, measured the same here)
          const bool live = !dn & (alpha >= amin), ends = !(next > tmin);
          const bool use = live & !ends;
          const scalar_t w = use ? alpha * t : scalar_t(0);
          add_features<kF>(w, &cf[0][j], kChunk, a0, a1, a2, a3, a4, a5, a6, a7);
          t = use ? next : t;
          lk = use ? kbase + static_cast<scalar_t>(j) : lk;
          dn = dn | (live & ends);
        }
        Tr[x] = t, doner[x] = dn ? scalar_t(1) : scalar_t(0), lastr[x] = lk;
        store_features<kF>(accr + x, P, a0, a1, a2, a3, a4, a5, a6, a7);
      }
    }
    if ((k0 - begin) / kChunk % kEndCheck == kEndCheck - 1) {  // not after every chunk: see kEndCheck
      bool all_ended = true;
      for (int64_t r = 0; r < ts; ++r) {
        row_ended[r] = row_ended[r] || std::all_of(done + r * ts, done + (r + 1) * ts, [](scalar_t d) { return d != 0; });
        all_ended &= row_ended[r];
      }
      if (all_ended) break;
    }
  }
  for (int64_t p = 0; p < P; ++p) {
    const int64_t x = tx * ts + p % ts, y = ty * ts + p / ts;
    if (x >= o.width || y >= o.height) continue;
    const int64_t pix = y * o.width + x;
    for (int64_t d = 0; d < Dn; ++d) image[pix * Dn + d] = acc[d * P + p];
    alphas[pix] = scalar_t(1) - T[p];
    t_final[pix] = T[p];
    last[pix] = static_cast<int32_t>(lastk[p]);
  }
}

// Backward of one tile (3DGS): walk each pixel's list from its last composited Gaussian back to the
// front, recovering T_k = T_{k+1} / (1 - alpha_k) from the saved final transmittance:
//   dL/df_k = alpha_k T_k g,
//   dL/dalpha_k = T_k (f_k . g) - (sum_{j>k} alpha_j T_j f_j . g + gT T_final) / (1 - alpha_k),
// with gT = dL/dT_final = -dL/dalphas. Adds into ``grads`` [N, 6 + D]: d means2d (2),
// d conics (3), d opacity (1), d features (D), summed over the tile's pixels. ``half``: each
// Gaussian's reach_half_height. ``DF`` > 0: the feature count as a constant; 0: ``D``.
//
// One pass over the pixels per Gaussian, over only the rows it reaches (and that still composite
// it): f . g, the pixel's update and all the Gaussian's sums (the moments of dL/dsigma, dL/dopacity
// and dL/df) in one SIMD loop, with the sums in registers.
template <typename scalar_t, int TS, int DF>
void backward_tile(int64_t tile, const scalar_t* means, const scalar_t* conics, const scalar_t* opac,
                   const scalar_t* feat, const scalar_t* half, int64_t D, const int32_t* offsets, const int32_t* ids,
                   const Options& o, const scalar_t* g_image, const scalar_t* g_alphas, const scalar_t* t_final,
                   const int32_t* last, scalar_t* grads) {
  const int32_t begin = offsets[tile], end = offsets[tile + 1];
  if (begin == end) return;
  constexpr int kF = DF > 0 ? DF : kMaxFeatures;
  const int64_t ts = TS > 0 ? TS : o.tile, P = ts * ts, Dn = DF > 0 ? DF : D, stride = 6 + Dn;
  const scalar_t amin = o.alpha_min, amax = o.alpha_max;
  alignas(64) scalar_t px[kMaxPixels], py[kMaxPixels], T[kMaxPixels], R[kMaxPixels], lastk[kMaxPixels];
  alignas(64) scalar_t g[kMaxFeatures * kMaxPixels];
  int32_t row_last[kMaxTile];  // per row: the last Gaussian any of its pixels composited
  std::fill(g, g + kF * P, scalar_t(0));
  const int64_t tx = tile % o.tiles_x, ty = tile / o.tiles_x;
  int32_t kmax = -1;
  for (int64_t r = 0; r < ts; ++r) row_last[r] = -1;
  for (int64_t p = 0; p < P; ++p) {
    const int64_t x = tx * ts + p % ts, y = ty * ts + p / ts;
    px[p] = static_cast<scalar_t>(x) + scalar_t(0.5);
    py[p] = static_cast<scalar_t>(y) + scalar_t(0.5);
    if (x >= o.width || y >= o.height) {
      T[p] = 1, R[p] = 0, lastk[p] = -1;
      continue;
    }
    const int64_t pix = y * o.width + x;
    T[p] = t_final[pix];
    R[p] = -g_alphas[pix] * t_final[pix];  // gT * T_final
    lastk[p] = static_cast<scalar_t>(last[pix]);
    kmax = std::max(kmax, last[pix]);
    row_last[p / ts] = std::max(row_last[p / ts], last[pix]);
    for (int64_t d = 0; d < Dn; ++d) g[d * P + p] = g_image[pix * Dn + d];
  }
  for (int32_t k = kmax; k >= 0; --k) {
    const int32_t gi = ids[begin + k];
    auto [r0, r1] = reach_rows(means[2 * gi + 1], half[gi], ty * ts, ts);
    while (r0 <= r1 && row_last[r0] < k) ++r0;  // rows whose pixels all ended before this Gaussian
    while (r0 <= r1 && row_last[r1] < k) --r1;
    if (r0 > r1) continue;
    const Splat<scalar_t> s = splat(means, conics, opac, gi);
    scalar_t f[kF];
    for (int d = 0; d < kF; ++d) f[d] = d < Dn ? feat[static_cast<int64_t>(gi) * Dn + d] : scalar_t(0);
    const scalar_t kk = static_cast<scalar_t>(k), ha = scalar_t(0.5) * s.a, hc = scalar_t(0.5) * s.c;
    scalar_t m_x = 0, m_y = 0, m_xx = 0, m_xy = 0, m_yy = 0, s_o = 0;
    scalar_t sf0 = 0, sf1 = 0, sf2 = 0, sf3 = 0, sf4 = 0, sf5 = 0, sf6 = 0, sf7 = 0;  // d features (kF used)
    const int64_t p0 = r0 * ts, p1 = (r1 + 1) * ts;
#pragma omp simd reduction(+ : m_x, m_y, m_xx, m_xy, m_yy, s_o, sf0, sf1, sf2, sf3, sf4, sf5, sf6, sf7)
    for (int64_t p = p0; p < p1; ++p) {
      scalar_t g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0;  // scalars: see forward_tile
      load_features<kF>(g + p, P, g0, g1, g2, g3, g4, g5, g6, g7);
      const scalar_t fg = dot_features<kF>(f, g0, g1, g2, g3, g4, g5, g6, g7);
      const scalar_t dx = px[p] - s.mx, dy = py[p] - s.my;
      const scalar_t sigma = dx * (ha * dx + s.b * dy) + hc * dy * dy;  // as forward_tile's
      const scalar_t e = exp_neg(-sigma);
      const scalar_t raw = s.o * e;
      const scalar_t alpha = std::min(amax, raw);
      const scalar_t use = (kk <= lastk[p]) & (alpha >= amin) ? scalar_t(1) : scalar_t(0);
      const scalar_t inv = scalar_t(1) / (scalar_t(1) - alpha);
      const scalar_t Tk = use > 0 ? T[p] * inv : T[p];
      const scalar_t g_alpha = use * (Tk * fg - R[p] * inv);
      const scalar_t wk = use * alpha * Tk;
      R[p] += wk * fg;
      T[p] = Tk;
      const scalar_t g_raw = raw <= amax ? g_alpha : scalar_t(0);  // clamped alpha: no gradient
      const scalar_t g_sigma = -g_raw * raw;
      s_o += g_raw * e;
      const scalar_t gx = g_sigma * dx, gy = g_sigma * dy;  // moments of g_sigma; the conic enters after
      m_x += gx, m_y += gy, m_xx += gx * dx, m_xy += gx * dy, m_yy += gy * dy;
      sf0 += wk * g0;
      if constexpr (kF > 1) sf1 += wk * g1;
      if constexpr (kF > 2) sf2 += wk * g2;
      if constexpr (kF > 3) sf3 += wk * g3;
      if constexpr (kF > 4) sf4 += wk * g4;
      if constexpr (kF > 5) sf5 += wk * g5;
      if constexpr (kF > 6) sf6 += wk * g6;
      if constexpr (kF > 7) sf7 += wk * g7;
    }
    scalar_t* gr = grads + static_cast<int64_t>(gi) * stride;
    // d sigma / d(mx, my) = -(a dx + b dy, c dy + b dx); d sigma / d(a, b, c) = (dx^2 / 2, dx dy, dy^2 / 2)
    gr[0] -= s.a * m_x + s.b * m_y, gr[1] -= s.c * m_y + s.b * m_x;
    gr[2] += scalar_t(0.5) * m_xx, gr[3] += m_xy, gr[4] += scalar_t(0.5) * m_yy, gr[5] += s_o;
    const scalar_t sf[kMaxFeatures] = {sf0, sf1, sf2, sf3, sf4, sf5, sf6, sf7};
    for (int64_t d = 0; d < Dn; ++d) gr[6 + d] += sf[d];
  }
}

}  // namespace dhs
