// Eight-float vectors for the DINet mini kernel (dinet_mini.cpp): a GCC/clang generic vector
// (one AVX2 register; two SSE or NEON registers elsewhere) or, for other compilers, a plain array;
// the helpers the kernels use on it (loads at any float address, splat, ReLU, min/max, an 8 x 8
// transpose) and a vectorisable exp.

#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(_MSC_VER)
#define DHS_RESTRICT __restrict
#else
#define DHS_RESTRICT __restrict__
#endif

namespace dhs_mini {

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

}  // namespace dhs_mini
