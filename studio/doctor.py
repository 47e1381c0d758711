"""What this machine can do: one row per capability, each probed for real, never assumed.

Weight files are looked for by the same finders the loaders use (:mod:`core.weights`), so a row
that says "found" means training and evaluation will load that very file.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.compute import threads
from core.gaussians.mesh.flame_files import DEFAULT_FLAME_DIR, FLAME_DIR_ENV
from core.jobs.context import JobContext
from core.jobs.job import Job
from core.weights import find_lpips, find_vgg19


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = False


def _check_torch() -> Check:
    import torch

    return Check(
        "PyTorch", True, f"{torch.__version__}, {torch.get_num_threads()} CPU threads", required=True
    )


def _check_threads() -> Check:
    """The OpenMP wait policy in force and the thread count an auto (`cpu_threads = 0`) run gets now."""
    state = threads.policy_state()
    choice = threads.choose_threads(0)
    ok = not state.applied or state.disabled or not state.torch_was_loaded
    return Check(
        "CPU threads",
        ok,
        f"{state.describe()}; a training run now gets {choice.threads} thread(s) ({choice.reason})",
    )


def _check_cuda() -> Check:
    import torch

    if not torch.cuda.is_available():
        return Check("CUDA GPU", False, "not available: training and rendering run on the CPU")
    name = torch.cuda.get_device_name(0)
    mem = torch.cuda.get_device_properties(0).total_memory / 2**30
    return Check("CUDA GPU", True, f"{name}, {mem:.0f} GiB, CUDA {torch.version.cuda}")


def _check_gsplat() -> Check:
    if importlib.util.find_spec("gsplat") is None:
        return Check("gsplat CUDA kernels", False, "gsplat not installed")
    import torch

    if not torch.cuda.is_available():
        return Check("gsplat CUDA kernels", False, "no CUDA device: the CPU rasterizer is used instead")
    try:
        from gsplat import rasterization

        dev = torch.device("cuda")
        rasterization(
            torch.zeros(1, 3, device=dev) + torch.tensor([0, 0, 2.0], device=dev),
            torch.tensor([[1.0, 0, 0, 0]], device=dev),
            torch.full((1, 3), 0.1, device=dev),
            torch.ones(1, device=dev),
            torch.ones(1, 3, device=dev),
            torch.eye(4, device=dev)[None],
            torch.tensor([[[16.0, 0, 8], [0, 16, 8], [0, 0, 1]]], device=dev),
            16,
            16,
        )
        return Check("gsplat CUDA kernels", True, "compiled and loaded")
    except Exception as exc:
        return Check("gsplat CUDA kernels", False, f"failed to load: {str(exc).splitlines()[0][:120]}")


def _check_cpu_rasterizer() -> Check:
    """Which Gaussian rasterizer the CPU uses (the fused C++ one: this machine's build or the
    bundle's for a named level; or the PyTorch fallback) and why."""
    import torch

    from core.gaussians.render import native
    from core.gaussians.render.select import probe_native

    problem = probe_native(torch.device("cpu"))
    if problem is None:
        st = native.status()
        threads = st.module.parallel_threads()
        where = f"{threads} thread{'s' if threads != 1 else ''}"
        return Check("CPU Gaussian rasterizer", True, f"fused C++ rasterizer, {st.detail}; runs on {where}")
    return Check("CPU Gaussian rasterizer", False, f"PyTorch fallback: {problem}")


def _check_lipsync_kernel() -> Check:
    """Whether DINet mini renders on its fused C++ kernel (this machine's build or the bundle's for a
    named level) or on the ONNX Runtime fallback, and why."""
    from core.lipsync import native_mini

    st = native_mini.status()
    if st.ok:
        return Check("DINet mini kernel", True, f"fused C++ kernel, {st.detail}")
    return Check("DINet mini kernel", False, f"ONNX Runtime fallback: {st.detail}")


def _check_hdr_tonemap() -> Check:
    """Whether HDR phone footage (HLG, PQ) is tone-mapped by the C kernel or the ~5x slower NumPy route."""
    from core.media import native

    st = native.status()
    return Check("HDR tone-map kernel", st.ok, st.detail if st.ok else f"NumPy fallback: {st.detail}")


def _check_portaudio() -> Check:
    try:
        import sounddevice as sd
    except OSError as exc:
        return Check(
            "PortAudio / microphone",
            False,
            f"PortAudio library missing ({exc}); install it: apt-get install libportaudio2",
        )
    try:
        inputs = [d for d in sd.query_devices() if d["max_input_channels"] > 0]
    except Exception as exc:
        return Check("PortAudio / microphone", False, f"PortAudio present, device query failed: {exc}")
    if not inputs:
        return Check("PortAudio / microphone", False, "PortAudio present, no input device found")
    names = ", ".join(d["name"] for d in inputs[:3])
    return Check("PortAudio / microphone", True, f"{len(inputs)} input device(s): {names}")


def _check_mediapipe() -> Check:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None:
        return Check(
            "MediaPipe face mesh",
            False,
            "mediapipe not installed (pip install mediapipe==0.10.14)",
            required=True,
        )
    root = Path(spec.origin).parent
    model = root / "modules" / "face_landmark" / "face_landmark_with_attention.tflite"
    detector = root / "modules" / "face_detection" / "face_detection_short_range.tflite"
    missing = [p.name for p in (model, detector) if not p.is_file()]
    if missing:
        return Check(
            "MediaPipe face mesh",
            False,
            f"models missing in {root}: {', '.join(missing)} (use mediapipe==0.10.14, which ships them)",
            required=True,
        )
    import mediapipe

    return Check(
        "MediaPipe face mesh", True, f"{mediapipe.__version__}, models inside the wheel", required=True
    )


def _check_onnxruntime() -> Check:
    try:
        import onnxruntime as ort
    except ImportError as exc:
        return Check("ONNX Runtime", False, f"not importable: {exc}")
    built = ort.get_available_providers()
    import torch

    cuda = "CUDAExecutionProvider" in built and torch.cuda.is_available()
    return Check(
        "ONNX Runtime",
        True,
        f"{ort.__version__}; CUDA provider {'usable' if cuda else 'not usable (no GPU)'}; "
        f"built in: {', '.join(built)}",
    )


def _check_onnxruntime_web(root: Path | None = None) -> Check:
    """The web export bundles onnxruntime-web from web/node_modules (`npm ci`, done by the installers)."""
    from core.export.web import WEB_ROOT, web_sources
    from core.jobs.errors import BadInput

    try:
        _, dist = web_sources(root or WEB_ROOT)
    except BadInput as exc:
        return Check("onnxruntime-web (web export)", False, str(exc))
    return Check("onnxruntime-web (web export)", True, str(dist))


def _check_vgg19() -> Check:
    search = find_vgg19()
    return Check("VGG19 weights (perceptual loss)", search.ok, search.describe())


def _check_lpips() -> Check:
    search = find_lpips()
    detail = search.describe() if search.ok else f"unavailable (the metric is skipped): {search.describe()}"
    return Check("LPIPS weights (evaluation)", search.ok, detail)


def _check_flame() -> Check:
    env = os.environ.get(FLAME_DIR_ENV)
    dirs = [Path(env)] if env else []
    dirs.append(DEFAULT_FLAME_DIR)
    for d in dirs:
        model = next((d / n for n in ("flame2023.pkl", "generic_model.pkl") if (d / n).is_file()), None)
        if model:
            return _load_flame_check(model, d / "FLAME_masks.pkl")
    return Check(
        "FLAME model",
        False,
        "flame2023.pkl / generic_model.pkl not found (user-supplied, licensed); "
        "looked in: " + ", ".join(str(d) for d in dirs) + f" (set {FLAME_DIR_ENV})",
    )


def _load_flame_check(model: Path, masks: Path) -> Check:
    """Load the files with the restricted unpickler: existing is not enough, they must be FLAME data."""
    from core.gaussians.mesh.flame import load_flame
    from core.jobs.errors import BadInput

    try:
        load_flame(model, masks if masks.is_file() else None)
    except BadInput as exc:
        return Check("FLAME model", False, f"refused: {exc}")
    return Check("FLAME model", True, f"{model}" + ("" if masks.is_file() else " (FLAME_masks.pkl missing)"))


CHECKS: list[Callable[[], Check]] = [
    _check_torch,
    _check_threads,
    _check_cuda,
    _check_gsplat,
    _check_cpu_rasterizer,
    _check_lipsync_kernel,
    _check_hdr_tonemap,
    _check_mediapipe,
    _check_portaudio,
    _check_onnxruntime,
    _check_onnxruntime_web,
    _check_vgg19,
    _check_lpips,
    _check_flame,
]


def run_checks() -> list[Check]:
    return [_probe(check) for check in CHECKS]


def _probe(check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as exc:
        return Check(check.__name__.removeprefix("_check_"), False, f"check failed: {exc}")


def format_table(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"{'capability':<{width}}  status  detail", f"{'-' * width}  ------  ------"]
    for c in checks:
        status = "ok" if c.ok else ("MISSING" if c.required else "no")
        lines.append(f"{c.name:<{width}}  {status:<6}  {c.detail}")
    return "\n".join(lines)


class DoctorJob(Job):
    """Doctor as a job, so the GUI runs the (possibly slow) probes off the GUI thread."""

    name = "doctor"

    def run(self, ctx: JobContext) -> list[Check]:
        out = []
        for i, check in enumerate(CHECKS):
            ctx.checkpoint()
            ctx.progress(i, len(CHECKS), "checking this machine")
            out.append(_probe(check))
        ctx.progress(len(CHECKS), len(CHECKS), "checks done")
        return out
