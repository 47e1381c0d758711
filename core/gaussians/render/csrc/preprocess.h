// Per-Gaussian preprocessing of the fused CPU rasterizer, free of torch headers (rasterize.cpp binds it):
// EWA projection (core/gaussians/render/projection.py) and SH colours (core/gaussians/render/sh.py),
// forward and hand-written backward, one Gaussian at a time. The formulas, clamps and their
// gradients follow the PyTorch code line by line (it stays the reference the tests compare against):
//   mc = Rv m + t; z = tz if near < tz < far else 1; tx = z clamp(mc_x / z, -lim_x-, lim_x+) (same for y)
//   T = J Rv R(q) diag(s), J = [[fx/z, 0, -fx tx/z^2], [0, fy/z, -fy ty/z^2]]
//   cov2d = T T^T + eps2d I; conic = (c11, -c01, c00) / max(det, 1e-10)
//   means2d = (fx mc_x / z + cx, fy mc_y / z + cy); depth = tz
//   rgb = max(sum_k sh_k Y_k(dir) + 0.5, 0), dir = (m - campos) / max(|m - campos|, 1e-12)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dhs {

struct Camera {
  double R[9], t[3], fx, fy, cx, cy, campos[3];
  int64_t width, height;
  double near, far, eps2d, alpha_min;
  int degree;
};

constexpr double kShC0 = 0.28209479177387814;
constexpr double kShC1 = 0.4886025119029199;
constexpr double kShC2[5] = {1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792,
                             0.5462742152960396};
constexpr double kShC3[7] = {-0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154,
                             -0.4570457994644658, 1.445305721320277,  -0.5900435899266435};

// SH basis values Y [16] at the unit direction (x, y, z); with ``dY`` [16][3] their derivatives.
template <typename S>
inline void sh_basis(int degree, S x, S y, S z, S* Y, S (*dY)[3]) {
  Y[0] = S(kShC0);
  if (dY) dY[0][0] = dY[0][1] = dY[0][2] = 0;
  if (degree < 1) return;
  const S c1 = S(kShC1);
  Y[1] = -c1 * y, Y[2] = c1 * z, Y[3] = -c1 * x;
  if (dY) {
    for (int k = 1; k < 4; ++k) dY[k][0] = dY[k][1] = dY[k][2] = 0;
    dY[1][1] = -c1, dY[2][2] = c1, dY[3][0] = -c1;
  }
  if (degree < 2) return;
  const S xx = x * x, yy = y * y, zz = z * z;
  const S a0 = S(kShC2[0]), a1 = S(kShC2[1]), a2 = S(kShC2[2]), a3 = S(kShC2[3]), a4 = S(kShC2[4]);
  Y[4] = a0 * x * y, Y[5] = a1 * y * z, Y[6] = a2 * (S(2) * zz - xx - yy), Y[7] = a3 * x * z, Y[8] = a4 * (xx - yy);
  if (dY) {
    const S d[5][3] = {{a0 * y, a0 * x, 0},
                       {0, a1 * z, a1 * y},
                       {-2 * a2 * x, -2 * a2 * y, 4 * a2 * z},
                       {a3 * z, 0, a3 * x},
                       {2 * a4 * x, -2 * a4 * y, 0}};
    for (int k = 0; k < 5; ++k) std::copy(d[k], d[k] + 3, dY[4 + k]);
  }
  if (degree < 3) return;
  const S b0 = S(kShC3[0]), b1 = S(kShC3[1]), b2 = S(kShC3[2]), b3 = S(kShC3[3]), b4 = S(kShC3[4]),
          b5 = S(kShC3[5]), b6 = S(kShC3[6]);
  Y[9] = b0 * y * (S(3) * xx - yy);
  Y[10] = b1 * x * y * z;
  Y[11] = b2 * y * (S(4) * zz - xx - yy);
  Y[12] = b3 * z * (S(2) * zz - S(3) * xx - S(3) * yy);
  Y[13] = b4 * x * (S(4) * zz - xx - yy);
  Y[14] = b5 * z * (xx - yy);
  Y[15] = b6 * x * (xx - S(3) * yy);
  if (dY) {
    const S d[7][3] = {{6 * b0 * x * y, b0 * (3 * xx - 3 * yy), 0},
                       {b1 * y * z, b1 * x * z, b1 * x * y},
                       {-2 * b2 * x * y, b2 * (4 * zz - xx - 3 * yy), 8 * b2 * y * z},
                       {-6 * b3 * x * z, -6 * b3 * y * z, b3 * (6 * zz - 3 * xx - 3 * yy)},
                       {b4 * (4 * zz - 3 * xx - yy), -2 * b4 * x * y, 8 * b4 * x * z},
                       {2 * b5 * x * z, -2 * b5 * y * z, b5 * (xx - yy)},
                       {b6 * (3 * xx - 3 * yy), -6 * b6 * x * y, 0}};
    for (int k = 0; k < 7; ++k) std::copy(d[k], d[k] + 3, dY[9 + k]);
  }
}

// The rotation matrix [9] (row-major) of the normalised quaternion (w, x, y, z).
template <typename S>
inline void rotmat(const S* q, S* R) {
  const S w = q[0], x = q[1], y = q[2], z = q[3];
  R[0] = 1 - 2 * (y * y + z * z), R[1] = 2 * (x * y - w * z), R[2] = 2 * (x * z + w * y);
  R[3] = 2 * (x * y + w * z), R[4] = 1 - 2 * (x * x + z * z), R[5] = 2 * (y * z - w * x);
  R[6] = 2 * (x * z - w * y), R[7] = 2 * (y * z + w * x), R[8] = 1 - 2 * (x * x + y * y);
}

// Everything the forward computes for one Gaussian that its backward needs again.
template <typename S>
struct Projection {
  S mc[3], z, tx, ty, rx_over_z, ry_over_z;  // camera-space mean, safe depth, clamped tx/ty, mc_x/z, mc_y/z
  bool in_depth;
  S qn[4], qnorm, R[9], V[9], T0[3], T1[3], c00, c11, c01, det;
};

template <typename S>
inline void project_one(const Camera& cam, const S* m, const S* quat, const S* s, Projection<S>& p) {
  for (int i = 0; i < 3; ++i)
    p.mc[i] = (m[0] * S(cam.R[3 * i]) + m[1] * S(cam.R[3 * i + 1]) + m[2] * S(cam.R[3 * i + 2])) + S(cam.t[i]);
  const S tz = p.mc[2];
  p.in_depth = tz > S(cam.near) && tz < S(cam.far);
  p.z = p.in_depth ? tz : S(1);
  const S fx = S(cam.fx), fy = S(cam.fy), cx = S(cam.cx), cy = S(cam.cy);
  const S W = S(cam.width), H = S(cam.height);
  const S lim_xp = (W - cx) / fx + S(0.3) * (S(0.5) * W / fx), lim_xn = cx / fx + S(0.3) * (S(0.5) * W / fx);
  const S lim_yp = (H - cy) / fy + S(0.3) * (S(0.5) * H / fy), lim_yn = cy / fy + S(0.3) * (S(0.5) * H / fy);
  p.rx_over_z = p.mc[0] / p.z, p.ry_over_z = p.mc[1] / p.z;
  p.tx = p.z * std::clamp(p.rx_over_z, -lim_xn, lim_xp);
  p.ty = p.z * std::clamp(p.ry_over_z, -lim_yn, lim_yp);
  p.qnorm = std::sqrt(quat[0] * quat[0] + quat[1] * quat[1] + quat[2] * quat[2] + quat[3] * quat[3]);
  const S qd = std::max(p.qnorm, S(1e-12));
  for (int i = 0; i < 4; ++i) p.qn[i] = quat[i] / qd;
  rotmat(p.qn, p.R);
  for (int i = 0; i < 3; ++i)  // V = Rv (R diag(s))
    for (int j = 0; j < 3; ++j)
      p.V[3 * i + j] = S(cam.R[3 * i]) * (p.R[j] * s[j]) + S(cam.R[3 * i + 1]) * (p.R[3 + j] * s[j]) +
                       S(cam.R[3 * i + 2]) * (p.R[6 + j] * s[j]);
  const S inv_z = S(1) / p.z;
  const S a0 = fx * inv_z, b0 = fx * p.tx * inv_z * inv_z, a1 = fy * inv_z, b1 = fy * p.ty * inv_z * inv_z;
  for (int j = 0; j < 3; ++j) p.T0[j] = a0 * p.V[j] - b0 * p.V[6 + j], p.T1[j] = a1 * p.V[3 + j] - b1 * p.V[6 + j];
  p.c00 = p.T0[0] * p.T0[0] + p.T0[1] * p.T0[1] + p.T0[2] * p.T0[2] + S(cam.eps2d);
  p.c11 = p.T1[0] * p.T1[0] + p.T1[1] * p.T1[1] + p.T1[2] * p.T1[2] + S(cam.eps2d);
  p.c01 = p.T0[0] * p.T1[0] + p.T0[1] * p.T1[1] + p.T0[2] * p.T1[2];
  p.det = p.c00 * p.c11 - p.c01 * p.c01;
}

// Forward of Gaussians [begin, end): means2d [N, 2], conics [N, 3], depths [N], radii [N, 2], features
// [N, D] (rgb, then the depth when D == 4). ``sh`` is [N, K, 3].
template <typename S>
void preprocess_forward(const Camera& cam, const S* means, const S* quats, const S* scales, const S* opac,
                        const S* sh, int64_t K, int64_t begin, int64_t end, int64_t D, S* means2d, S* conics,
                        S* depths, int32_t* radii, S* feat) {
  const S amin = S(cam.alpha_min);
  for (int64_t i = begin; i < end; ++i) {
    Projection<S> p;
    project_one(cam, means + 3 * i, quats + 4 * i, scales + 3 * i, p);
    const S ds = std::max(p.det, S(1e-10));
    conics[3 * i] = p.c11 / ds, conics[3 * i + 1] = -p.c01 / ds, conics[3 * i + 2] = p.c00 / ds;
    const S mx = S(cam.fx) * p.mc[0] / p.z + S(cam.cx), my = S(cam.fy) * p.mc[1] / p.z + S(cam.cy);
    means2d[2 * i] = mx, means2d[2 * i + 1] = my;
    depths[i] = p.mc[2];
    const S o = std::min(opac[i], S(1));
    const S extend = std::min(std::sqrt(S(2) * std::log(std::max(o, amin) / amin)), S(3.33));
    const S rx = std::ceil(extend * std::sqrt(std::max(p.c00, S(0))));
    const S ry = std::ceil(extend * std::sqrt(std::max(p.c11, S(0))));
    const bool inside = (mx + rx > 0) && (mx - rx < S(cam.width)) && (my + ry > 0) && (my - ry < S(cam.height));
    const bool keep = p.in_depth && p.det > 0 && o >= amin && inside && rx > 0 && ry > 0;
    radii[2 * i] = keep ? static_cast<int32_t>(rx) : 0;
    radii[2 * i + 1] = keep ? static_cast<int32_t>(ry) : 0;
    // colour
    const S* c = sh + i * K * 3;
    S* f = feat + i * D;
    S Y[16];
    if (cam.degree == 0) {
      Y[0] = S(kShC0);
    } else {
      S d[3] = {means[3 * i] - S(cam.campos[0]), means[3 * i + 1] - S(cam.campos[1]),
                means[3 * i + 2] - S(cam.campos[2])};
      const S nd = std::max(std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), S(1e-12));
      sh_basis<S>(cam.degree, d[0] / nd, d[1] / nd, d[2] / nd, Y, nullptr);
    }
    const int nb = (cam.degree + 1) * (cam.degree + 1);
    for (int ch = 0; ch < 3; ++ch) {
      S v = 0;
      for (int k = 0; k < nb; ++k) v += Y[k] * c[3 * k + ch];
      f[ch] = std::max(v + S(0.5), S(0));
    }
    if (D == 4) f[3] = p.mc[2];
  }
}

// Backward of Gaussians [begin, end): from d means2d [N, 2], d conics [N, 3], d depths [N] and d features
// [N, D] to d means [N, 3], d quats [N, 4], d scales [N, 3], d sh [N, K, 3] (overwritten; sh bands
// above the evaluated degree get 0).
template <typename S>
void preprocess_backward(const Camera& cam, const S* means, const S* quats, const S* scales, const S* sh, int64_t K,
                         int64_t begin, int64_t end, int64_t D, const S* g_means2d, const S* g_conics,
                         const S* g_depths, const S* g_feat, S* g_means, S* g_quats, S* g_scales, S* g_sh) {
  const S fx = S(cam.fx), fy = S(cam.fy);
  const S W = S(cam.width), H = S(cam.height), cx = S(cam.cx), cy = S(cam.cy);
  const S lim_xp = (W - cx) / fx + S(0.3) * (S(0.5) * W / fx), lim_xn = cx / fx + S(0.3) * (S(0.5) * W / fx);
  const S lim_yp = (H - cy) / fy + S(0.3) * (S(0.5) * H / fy), lim_yn = cy / fy + S(0.3) * (S(0.5) * H / fy);
  const int nb = (cam.degree + 1) * (cam.degree + 1);
  for (int64_t i = begin; i < end; ++i) {
    const S* m = means + 3 * i;
    Projection<S> p;
    project_one(cam, m, quats + 4 * i, scales + 3 * i, p);
    S g_mc[3] = {0, 0, 0}, g_z = 0, g_tx = 0, g_ty = 0, g_tz = g_depths[i] + (D == 4 ? g_feat[i * D + 3] : S(0));
    // means2d = (fx mc_x / z + cx, fy mc_y / z + cy)
    const S gu = g_means2d[2 * i], gv = g_means2d[2 * i + 1];
    g_mc[0] += gu * fx / p.z, g_mc[1] += gv * fy / p.z;
    g_z -= (gu * fx * p.mc[0] + gv * fy * p.mc[1]) / (p.z * p.z);
    // conic = (c11, -c01, c00) / ds
    const S gA = g_conics[3 * i], gB = g_conics[3 * i + 1], gC = g_conics[3 * i + 2];
    const S ds = std::max(p.det, S(1e-10));
    S g00 = gC / ds, g11 = gA / ds, g01 = -gB / ds;
    if (p.det >= S(1e-10)) {
      const S g_det = -(gA * p.c11 - gB * p.c01 + gC * p.c00) / (ds * ds);
      g00 += g_det * p.c11, g11 += g_det * p.c00, g01 -= S(2) * p.c01 * g_det;
    }
    S gT0[3], gT1[3];
    for (int j = 0; j < 3; ++j)
      gT0[j] = S(2) * g00 * p.T0[j] + g01 * p.T1[j], gT1[j] = S(2) * g11 * p.T1[j] + g01 * p.T0[j];
    const S inv_z = S(1) / p.z;
    const S a0 = fx * inv_z, b0 = fx * p.tx * inv_z * inv_z, a1 = fy * inv_z, b1 = fy * p.ty * inv_z * inv_z;
    S gV[9], ga0 = 0, gb0 = 0, ga1 = 0, gb1 = 0;
    for (int j = 0; j < 3; ++j) {
      gV[j] = a0 * gT0[j], gV[3 + j] = a1 * gT1[j], gV[6 + j] = -b0 * gT0[j] - b1 * gT1[j];
      ga0 += gT0[j] * p.V[j], gb0 -= gT0[j] * p.V[6 + j], ga1 += gT1[j] * p.V[3 + j], gb1 -= gT1[j] * p.V[6 + j];
    }
    // a0 = fx / z, b0 = fx tx / z^2 (and the same with y)
    g_z += -(ga0 * fx + ga1 * fy) * inv_z * inv_z - S(2) * (gb0 * fx * p.tx + gb1 * fy * p.ty) * inv_z * inv_z * inv_z;
    g_tx += gb0 * fx * inv_z * inv_z, g_ty += gb1 * fy * inv_z * inv_z;
    // tx = z clamp(mc_x / z): the clamp passes the gradient inside its range (ends included)
    auto clamp_back = [&](S g_t, S ratio, S lo, S hi, int axis) {
      g_z += g_t * std::clamp(ratio, lo, hi);
      const S g_ratio = (ratio >= lo && ratio <= hi) ? g_t * p.z : S(0);
      g_mc[axis] += g_ratio / p.z;
      g_z -= g_ratio * p.mc[axis] / (p.z * p.z);
    };
    clamp_back(g_tx, p.rx_over_z, -lim_xn, lim_xp, 0);
    clamp_back(g_ty, p.ry_over_z, -lim_yn, lim_yp, 1);
    if (p.in_depth) g_tz += g_z;
    g_mc[2] += g_tz;
    // V = Rv M, M = R diag(s): g_M = Rv^T g_V
    const S* s = scales + 3 * i;
    S gR[9];
    S* gs = g_scales + 3 * i;
    gs[0] = gs[1] = gs[2] = 0;
    for (int r = 0; r < 3; ++r)
      for (int j = 0; j < 3; ++j) {
        const S gM = S(cam.R[r]) * gV[j] + S(cam.R[3 + r]) * gV[3 + j] + S(cam.R[6 + r]) * gV[6 + j];
        gR[3 * r + j] = gM * s[j];
        gs[j] += gM * p.R[3 * r + j];
      }
    const S w = p.qn[0], x = p.qn[1], y = p.qn[2], z = p.qn[3];
    S gq[4];
    gq[0] = 2 * (-z * gR[1] + y * gR[2] + z * gR[3] - x * gR[5] - y * gR[6] + x * gR[7]);
    gq[1] = 2 * (y * gR[1] + z * gR[2] + y * gR[3] - 2 * x * gR[4] - w * gR[5] + z * gR[6] + w * gR[7] - 2 * x * gR[8]);
    gq[2] = 2 * (-2 * y * gR[0] + x * gR[1] + w * gR[2] + x * gR[3] + z * gR[5] - w * gR[6] + z * gR[7] - 2 * y * gR[8]);
    gq[3] = 2 * (-2 * z * gR[0] - w * gR[1] + x * gR[2] + w * gR[3] - 2 * z * gR[4] + y * gR[5] + x * gR[6] + y * gR[7]);
    // qn = q / max(|q|, 1e-12)
    S* gqo = g_quats + 4 * i;
    const S qd = std::max(p.qnorm, S(1e-12));
    const S dot = gq[0] * p.qn[0] + gq[1] * p.qn[1] + gq[2] * p.qn[2] + gq[3] * p.qn[3];
    for (int k = 0; k < 4; ++k) gqo[k] = (gq[k] - (p.qnorm >= S(1e-12) ? p.qn[k] * dot : S(0))) / qd;
    // mc = Rv m + t
    S* gm = g_means + 3 * i;
    for (int j = 0; j < 3; ++j)
      gm[j] = S(cam.R[j]) * g_mc[0] + S(cam.R[3 + j]) * g_mc[1] + S(cam.R[6 + j]) * g_mc[2];
    // colour: rgb = max(sum_k sh_k Y_k + 0.5, 0)
    const S* c = sh + i * K * 3;
    S* gc = g_sh + i * K * 3;
    std::fill(gc, gc + K * 3, S(0));
    S Y[16], dY[16][3];
    S d[3] = {m[0] - S(cam.campos[0]), m[1] - S(cam.campos[1]), m[2] - S(cam.campos[2])};
    const S dn = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), dd = std::max(dn, S(1e-12));
    const S u[3] = {d[0] / dd, d[1] / dd, d[2] / dd};
    if (cam.degree == 0)
      Y[0] = S(kShC0);
    else
      sh_basis<S>(cam.degree, u[0], u[1], u[2], Y, dY);
    S g_rgb[3];
    for (int ch = 0; ch < 3; ++ch) {
      S v = 0;
      for (int k = 0; k < nb; ++k) v += Y[k] * c[3 * k + ch];
      g_rgb[ch] = (v + S(0.5) >= S(0)) ? g_feat[i * D + ch] : S(0);
    }
    S g_u[3] = {0, 0, 0};
    for (int k = 0; k < nb; ++k) {
      const S gY = c[3 * k] * g_rgb[0] + c[3 * k + 1] * g_rgb[1] + c[3 * k + 2] * g_rgb[2];
      for (int ch = 0; ch < 3; ++ch) gc[3 * k + ch] = Y[k] * g_rgb[ch];
      if (cam.degree > 0)
        for (int a = 0; a < 3; ++a) g_u[a] += gY * dY[k][a];
    }
    if (cam.degree > 0) {  // u = d / max(|d|, 1e-12)
      const S dot_u = g_u[0] * u[0] + g_u[1] * u[1] + g_u[2] * u[2];
      for (int a = 0; a < 3; ++a) gm[a] += (g_u[a] - (dn >= S(1e-12) ? u[a] * dot_u : S(0))) / dd;
    }
  }
}

}  // namespace dhs
