// Fused CPU Gaussian rasterizer: tile binning, front-to-back compositing and its backward.
//
// The compositing rule is the one documented in core/gaussians/render/base.py (the PyTorch
// rasterizer follows it too and stays the reference the tests compare against):
//   alpha = min(alpha_max, o * exp(-sigma)),  sigma = 0.5 (a dx^2 + c dy^2) + b dx dy,
//   skipped when alpha < alpha_min; a Gaussian that would bring T to <= t_min ends the pixel
//   without being composited; out = sum_k f_k alpha_k T_k, alphas = 1 - T_final.
//
// The per-tile kernels are in tile_kernels.h, the per-Gaussian projection and SH colours (with their
// backward) in preprocess.h. Here: the Python bindings and the parallel loops.
// Tiles are handed out one at a time (their costs differ a lot) on PyTorch's own thread pool
// (at::parallel_for; the module is built with OpenMP and joins the libgomp torch loaded, see
// native_build.openmp_flags), so torch.set_num_threads and the studio's thread policy govern this
// kernel like every other op. Per-Gaussian gradients go to one buffer per worker thread, summed at the
// end (no atomics).

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/utils/pybind.h>

#include <atomic>
#include <cmath>

#include "preprocess.h"
#include "tile_kernels.h"

namespace {

using dhs::Options;

template <typename Fn>
void for_each_tile(int64_t n_tiles, Fn fn) {
  std::atomic<int64_t> next{0};
  const int64_t workers = std::min<int64_t>(at::get_num_threads(), std::max<int64_t>(n_tiles, 1));
  at::parallel_for(0, workers, 1, [&](int64_t begin, int64_t end) {
    const int thread = at::get_thread_num();
    for (int64_t w = begin; w < end; ++w)
      for (int64_t t = next++; t < n_tiles; t = next++) fn(t, thread);
  });
}

// Counting sort of the pairs (given in depth order, slice after slice) by tile: ``offsets``
// [tiles + 1] indexes the returned Gaussian ids, which stay in depth order within each tile. The
// slices count and place their pairs on all threads (done serially it held the other thread idle:
// 50k Gaussians at 512^2, two threads, kernel forward 52 -> 51 ms): within a tile, each slice's pairs
// go after those of the slices before it.
std::vector<int32_t> group_by_tile(const std::vector<std::vector<std::pair<int32_t, int32_t>>>& slices,
                                   int64_t n_tiles, std::vector<int32_t>& offsets) {
  const int64_t n_slices = static_cast<int64_t>(slices.size());
  std::vector<int32_t> start(n_slices * n_tiles, 0);  // [slice, tile]: counts, then where its pairs go
  at::parallel_for(0, n_slices, 1, [&](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s)
      for (const auto& h : slices[s]) ++start[s * n_tiles + h.first];
  });
  offsets.assign(n_tiles + 1, 0);
  int32_t total = 0;
  for (int64_t t = 0; t < n_tiles; ++t) {
    offsets[t] = total;
    for (int64_t s = 0; s < n_slices; ++s) {
      const int32_t count = start[s * n_tiles + t];
      start[s * n_tiles + t] = total;
      total += count;
    }
  }
  offsets[n_tiles] = total;
  std::vector<int32_t> ids(total);
  at::parallel_for(0, n_slices, 1, [&](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) {
      int32_t* cursor = start.data() + s * n_tiles;
      for (const auto& h : slices[s]) ids[cursor[h.first]++] = h.second;
    }
  });
  return ids;
}

// Bins on all threads: each takes a contiguous, depth-ordered slice of the Gaussians, so the slices'
// pairs, concatenated in slice order, are still in depth order.
template <typename scalar_t>
std::vector<int32_t> bin(const scalar_t* means, const scalar_t* conics, const scalar_t* opac, const int32_t* radii,
                         const scalar_t* depths, int64_t n, const Options& o, std::vector<int32_t>& offsets) {
  const std::vector<int32_t> order = dhs::depth_order(radii, depths, n);
  const int64_t m = static_cast<int64_t>(order.size());
  const int64_t slices = std::max<int64_t>(1, std::min<int64_t>(4 * at::get_num_threads(), m / 256));
  std::vector<std::vector<std::pair<int32_t, int32_t>>> chunks(slices);
  at::parallel_for(0, slices, 1, [&](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) {
      chunks[s].reserve((m / slices + 1) * 8);
      dhs::tile_hits(means, conics, opac, radii, order.data(), s * m / slices, (s + 1) * m / slices, o, chunks[s]);
    }
  });
  return group_by_tile(chunks, o.tiles_x * o.tiles_y, offsets);
}

// Every Gaussian's dhs::reach_half_height, for the tile kernels' row skipping.
template <typename scalar_t>
std::vector<scalar_t> reach(const scalar_t* conics, const scalar_t* opac, int64_t n, const Options& o) {
  std::vector<scalar_t> half(n);
  const double log_amin = std::log(o.alpha_min);
  at::parallel_for(0, n, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      half[i] = dhs::reach_half_height(conics[3 * i], conics[3 * i + 1], conics[3 * i + 2], opac[i], log_amin);
  });
  return half;
}

// Calls ``kernel.template operator()<DF>()`` with the feature count as a constant for colour (3) and
// colour and depth (4), else 0 (the kernels then take it at run time).
template <typename Kernel>
void with_features(int64_t D, Kernel kernel) {
  if (D == 3)
    kernel.template operator()<3>();
  else if (D == 4)
    kernel.template operator()<4>();
  else
    kernel.template operator()<0>();
}

// Calls ``kernel.template operator()<TS>()`` with the tile size as a constant where it is a common one.
template <typename Kernel>
void with_tile_size(int64_t tile, Kernel kernel) {
  if (tile == 8)
    kernel.template operator()<8>();
  else if (tile == 16)
    kernel.template operator()<16>();
  else
    kernel.template operator()<0>();
}

Options make_options(int64_t width, int64_t height, int64_t tile, double alpha_min, double alpha_max,
                     double t_min) {
  TORCH_CHECK(tile >= 1 && tile <= dhs::kMaxTile, "tile_size must be in [1, ", dhs::kMaxTile, "], got ", tile);
  TORCH_CHECK(width > 0 && height > 0, "image size must be positive");
  TORCH_CHECK(alpha_max < 1.0, "alpha_max must be below 1");
  return {width, height, tile, (width + tile - 1) / tile, (height + tile - 1) / tile, alpha_min, alpha_max, t_min};
}

void check_inputs(const at::Tensor& means, const at::Tensor& conics, const at::Tensor& opac, const at::Tensor& feat,
                  const at::Tensor& radii, const at::Tensor& depths) {
  const int64_t n = means.size(0);
  for (const auto* t : {&means, &conics, &opac, &feat, &radii, &depths}) {
    TORCH_CHECK(t->device().is_cpu(), "the fused rasterizer runs on CPU tensors");
    TORCH_CHECK(t->is_contiguous(), "inputs must be contiguous");
    TORCH_CHECK(t->size(0) == n, "every input needs one row per Gaussian");
  }
  TORCH_CHECK(means.dim() == 2 && means.size(1) == 2, "means2d must be [N, 2]");
  TORCH_CHECK(conics.dim() == 2 && conics.size(1) == 3, "conics must be [N, 3]");
  TORCH_CHECK(feat.dim() == 2 && feat.size(1) >= 1 && feat.size(1) <= dhs::kMaxFeatures,
              "features must be [N, D] with 1 <= D <= ", dhs::kMaxFeatures);
  TORCH_CHECK(radii.scalar_type() == at::kInt && radii.dim() == 2 && radii.size(1) == 2, "radii must be int32 [N, 2]");
  for (const auto* t : {&conics, &opac, &feat, &depths})
    TORCH_CHECK(t->scalar_type() == means.scalar_type(), "all float inputs must share one dtype");
}

at::Tensor int_tensor(const std::vector<int32_t>& v) {
  auto out = at::empty({static_cast<int64_t>(v.size())}, at::TensorOptions().dtype(at::kInt));
  std::copy(v.begin(), v.end(), out.data_ptr<int32_t>());
  return out;
}

// Returns (image [H, W, D], alphas [H, W, 1], t_final [H, W], last [H, W] int32,
// tile offsets [tiles + 1] int32, tile Gaussian ids [M] int32).
std::vector<at::Tensor> forward(at::Tensor means, at::Tensor conics, at::Tensor opac, at::Tensor feat,
                                at::Tensor radii, at::Tensor depths, int64_t width, int64_t height, int64_t tile,
                                double alpha_min, double alpha_max, double t_min) {
  check_inputs(means, conics, opac, feat, radii, depths);
  const Options o = make_options(width, height, tile, alpha_min, alpha_max, t_min);
  const int64_t n = means.size(0), D = feat.size(1);
  auto fopt = means.options();
  // every pixel lies in one tile, whose kernel writes all four (no fill needed: at 512^2 that was
  // ~7 MB of memset on the calling thread alone)
  auto image = at::empty({height, width, D}, fopt);
  auto alphas = at::empty({height, width, 1}, fopt);
  auto t_final = at::empty({height, width}, fopt);
  auto last = at::empty({height, width}, fopt.dtype(at::kInt));
  std::vector<int32_t> offsets, ids;
  AT_DISPATCH_FLOATING_TYPES(means.scalar_type(), "dhs_rasterize_forward", [&] {
    const scalar_t *m = means.data_ptr<scalar_t>(), *c = conics.data_ptr<scalar_t>(), *op = opac.data_ptr<scalar_t>();
    const scalar_t* f = feat.data_ptr<scalar_t>();
    ids = bin<scalar_t>(m, c, op, radii.data_ptr<int32_t>(), depths.data_ptr<scalar_t>(), n, o, offsets);
    const std::vector<scalar_t> half = reach(c, op, n, o);
    scalar_t *img = image.data_ptr<scalar_t>(), *al = alphas.data_ptr<scalar_t>(), *tf = t_final.data_ptr<scalar_t>();
    int32_t* la = last.data_ptr<int32_t>();
    with_tile_size(o.tile, [&]<int TS>() {
      with_features(D, [&]<int DF>() {
        for_each_tile(o.tiles_x * o.tiles_y, [&](int64_t t, int) {
          dhs::forward_tile<scalar_t, TS, DF>(t, m, c, op, f, half.data(), D, offsets.data(), ids.data(), o, img, al, tf,
                                              la);
        });
      });
    });
  });
  return {image, alphas, t_final, last, int_tensor(offsets), int_tensor(ids)};
}

// Returns (d means2d [N, 2], d conics [N, 3], d opacities [N], d features [N, D]).
std::vector<at::Tensor> backward(at::Tensor means, at::Tensor conics, at::Tensor opac, at::Tensor feat,
                                 at::Tensor offsets, at::Tensor ids, at::Tensor t_final, at::Tensor last,
                                 at::Tensor g_image, at::Tensor g_alphas, int64_t width, int64_t height, int64_t tile,
                                 double alpha_min, double alpha_max, double t_min) {
  const Options o = make_options(width, height, tile, alpha_min, alpha_max, t_min);
  const int64_t n = means.size(0), D = feat.size(1);
  TORCH_CHECK(offsets.numel() == o.tiles_x * o.tiles_y + 1, "tile offsets do not match the image size");
  g_image = g_image.contiguous().to(means.scalar_type());
  g_alphas = g_alphas.contiguous().to(means.scalar_type());
  const int64_t threads = at::get_num_threads();
  auto grads = at::zeros({threads, n, 6 + D}, means.options());
  AT_DISPATCH_FLOATING_TYPES(means.scalar_type(), "dhs_rasterize_backward", [&] {
    const scalar_t *m = means.data_ptr<scalar_t>(), *c = conics.data_ptr<scalar_t>(), *op = opac.data_ptr<scalar_t>();
    const scalar_t *f = feat.data_ptr<scalar_t>(), *gi = g_image.data_ptr<scalar_t>(), *ga = g_alphas.data_ptr<scalar_t>();
    const scalar_t* tf = t_final.data_ptr<scalar_t>();
    const int32_t *off = offsets.data_ptr<int32_t>(), *id = ids.data_ptr<int32_t>(), *la = last.data_ptr<int32_t>();
    scalar_t* gr = grads.data_ptr<scalar_t>();
    const std::vector<scalar_t> half = reach(c, op, n, o);
    with_tile_size(o.tile, [&]<int TS>() {
      with_features(D, [&]<int DF>() {
        for_each_tile(o.tiles_x * o.tiles_y, [&](int64_t t, int thread) {
          dhs::backward_tile<scalar_t, TS, DF>(t, m, c, op, f, half.data(), D, off, id, o, gi, ga, tf, la,
                                               gr + thread * n * (6 + D));
        });
      });
    });
  });
  auto total = threads > 1 ? grads.sum(0) : grads[0];
  return {total.slice(1, 0, 2).contiguous(), total.slice(1, 2, 5).contiguous(), total.select(1, 5).contiguous(),
          total.slice(1, 6, 6 + D).contiguous()};
}

dhs::Camera make_camera(const at::Tensor& viewmat, const at::Tensor& K, const at::Tensor& campos, int64_t width,
                        int64_t height, double near, double far, double eps2d, double alpha_min, int64_t degree) {
  TORCH_CHECK(viewmat.numel() == 16 && K.numel() == 9 && campos.numel() == 3, "viewmat [4, 4], K [3, 3], campos [3]");
  TORCH_CHECK(degree >= 0 && degree <= 3, "SH degree must be 0..3");
  const auto v = viewmat.to(at::kDouble).contiguous(), k = K.to(at::kDouble).contiguous();
  const auto c = campos.to(at::kDouble).contiguous();
  const double *pv = v.data_ptr<double>(), *pk = k.data_ptr<double>(), *pc = c.data_ptr<double>();
  dhs::Camera cam{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) cam.R[3 * i + j] = pv[4 * i + j];
    cam.t[i] = pv[4 * i + 3];
    cam.campos[i] = pc[i];
  }
  cam.fx = pk[0], cam.fy = pk[4], cam.cx = pk[2], cam.cy = pk[5];
  cam.width = width, cam.height = height, cam.near = near, cam.far = far, cam.eps2d = eps2d;
  cam.alpha_min = alpha_min, cam.degree = static_cast<int>(degree);
  return cam;
}

void check_gaussians(const at::Tensor& means, const at::Tensor& quats, const at::Tensor& scales, const at::Tensor& sh,
                     int64_t degree) {
  const int64_t n = means.size(0);
  for (const auto* t : {&means, &quats, &scales, &sh}) {
    TORCH_CHECK(t->device().is_cpu() && t->is_contiguous(), "inputs must be contiguous CPU tensors");
    TORCH_CHECK(t->size(0) == n && t->scalar_type() == means.scalar_type(), "one row per Gaussian, one dtype");
  }
  TORCH_CHECK(means.dim() == 2 && means.size(1) == 3 && quats.size(1) == 4 && scales.size(1) == 3,
              "means [N, 3], quats [N, 4], scales [N, 3]");
  TORCH_CHECK(sh.dim() == 3 && sh.size(2) == 3 && sh.size(1) >= (degree + 1) * (degree + 1), "sh [N, K, 3]");
}

constexpr int64_t kGaussianGrain = 512;

// Returns (means2d [N, 2], conics [N, 3], depths [N], radii [N, 2] int32, features [N, 3 or 4]).
std::vector<at::Tensor> preprocess_forward(at::Tensor means, at::Tensor quats, at::Tensor scales, at::Tensor opac,
                                           at::Tensor sh, at::Tensor viewmat, at::Tensor K, at::Tensor campos,
                                           int64_t width, int64_t height, double near, double far, double eps2d,
                                           double alpha_min, int64_t degree, bool with_depth) {
  check_gaussians(means, quats, scales, sh, degree);
  TORCH_CHECK(opac.is_contiguous() && opac.numel() == means.size(0) && opac.scalar_type() == means.scalar_type(),
              "opacities [N]");
  const dhs::Camera cam = make_camera(viewmat, K, campos, width, height, near, far, eps2d, alpha_min, degree);
  const int64_t n = means.size(0), D = with_depth ? 4 : 3, Ksh = sh.size(1);
  auto fopt = means.options();
  auto means2d = at::empty({n, 2}, fopt), conics = at::empty({n, 3}, fopt), depths = at::empty({n}, fopt);
  auto radii = at::empty({n, 2}, fopt.dtype(at::kInt)), feat = at::empty({n, D}, fopt);
  AT_DISPATCH_FLOATING_TYPES(means.scalar_type(), "dhs_preprocess_forward", [&] {
    at::parallel_for(0, n, kGaussianGrain, [&](int64_t begin, int64_t end) {
      dhs::preprocess_forward<scalar_t>(cam, means.data_ptr<scalar_t>(), quats.data_ptr<scalar_t>(),
                                        scales.data_ptr<scalar_t>(), opac.data_ptr<scalar_t>(),
                                        sh.data_ptr<scalar_t>(), Ksh, begin, end, D, means2d.data_ptr<scalar_t>(),
                                        conics.data_ptr<scalar_t>(), depths.data_ptr<scalar_t>(),
                                        radii.data_ptr<int32_t>(), feat.data_ptr<scalar_t>());
    });
  });
  return {means2d, conics, depths, radii, feat};
}

// Returns (d means [N, 3], d quats [N, 4], d scales [N, 3], d sh [N, K, 3]).
std::vector<at::Tensor> preprocess_backward(at::Tensor means, at::Tensor quats, at::Tensor scales, at::Tensor sh,
                                            at::Tensor viewmat, at::Tensor K, at::Tensor campos, int64_t width,
                                            int64_t height, double near, double far, double eps2d, double alpha_min,
                                            int64_t degree, at::Tensor g_means2d, at::Tensor g_conics,
                                            at::Tensor g_depths, at::Tensor g_feat) {
  check_gaussians(means, quats, scales, sh, degree);
  const dhs::Camera cam = make_camera(viewmat, K, campos, width, height, near, far, eps2d, alpha_min, degree);
  const int64_t n = means.size(0), Ksh = sh.size(1), D = g_feat.size(1);
  TORCH_CHECK(D == 3 || D == 4, "features are rgb or rgb + depth");
  const auto dt = means.scalar_type();
  g_means2d = g_means2d.to(dt).contiguous(), g_conics = g_conics.to(dt).contiguous();
  g_depths = g_depths.to(dt).contiguous(), g_feat = g_feat.to(dt).contiguous();
  auto g_means = at::empty_like(means), g_quats = at::empty_like(quats), g_scales = at::empty_like(scales);
  auto g_sh = at::empty_like(sh);
  AT_DISPATCH_FLOATING_TYPES(dt, "dhs_preprocess_backward", [&] {
    at::parallel_for(0, n, kGaussianGrain, [&](int64_t begin, int64_t end) {
      dhs::preprocess_backward<scalar_t>(
          cam, means.data_ptr<scalar_t>(), quats.data_ptr<scalar_t>(), scales.data_ptr<scalar_t>(),
          sh.data_ptr<scalar_t>(), Ksh, begin, end, D, g_means2d.data_ptr<scalar_t>(), g_conics.data_ptr<scalar_t>(),
          g_depths.data_ptr<scalar_t>(), g_feat.data_ptr<scalar_t>(), g_means.data_ptr<scalar_t>(),
          g_quats.data_ptr<scalar_t>(), g_scales.data_ptr<scalar_t>(), g_sh.data_ptr<scalar_t>());
    });
  });
  return {g_means, g_quats, g_scales, g_sh};
}

// How many threads at::parallel_for actually runs this module's loops on (each worker marks its
// bit): torch.set_num_threads(n) where the module was built with OpenMP, 1 where it was not.
int64_t parallel_threads() {
  std::atomic<uint64_t> seen{0};
  const int64_t n = std::min<int64_t>(at::get_num_threads(), 64);
  at::parallel_for(0, n, 1, [&](int64_t, int64_t) { seen.fetch_or(uint64_t{1} << at::get_thread_num()); });
  int64_t count = 0;
  for (uint64_t bits = seen.load(); bits != 0; bits &= bits - 1) ++count;
  return count;
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Fused CPU Gaussian rasterizer (tile binning, compositing, backward)";
  m.def("forward", &forward, "bin and composite screen-space Gaussians");
  m.def("backward", &backward, "gradients of the composited image");
  m.def("preprocess_forward", &preprocess_forward, "project Gaussians and evaluate their SH colours");
  m.def("preprocess_backward", &preprocess_backward, "gradients of the projection and the SH colours");
  m.def("parallel_threads", &parallel_threads, "threads the module's parallel loops run on");
}
