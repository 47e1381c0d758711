"""What reading colour right costs per frame: each route of core.media.convert (and bwdif, and the
writer's BT.709 conversion) at 1080p and 512^2, against the old BT.601 I420 path, interleaved.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_decode_colour.py [--rounds 5] [--reps 10]
        [--out benchmarks/results/decode_colour.json]

OpenCV runs on one thread (cv2.setNumThreads(1)), as the tone map's own parts do unless a case
says "threads": the figures are one core's work, as wall time and as the process's CPU time.
The HDR cases' "before" is the NumPy tone map the fused C kernel replaced (still the fallback
where the kernel is not built); `accuracy` compares both routes with each other and with the
exact float64 reference (tests/core/media/colour_reference.py) on the same 1080p frames.

Frames: the face sample resized (a smooth random colour field without it), carried in HLG/PQ at
twice SDR brightness for the HDR routes, wrapped as PyAV frames with the tags each
route reads; the decoder's own cost is not included (it is the same for every route). Each round
runs every case once, in the same order, and the figure is the median over rounds of the mean
over `reps` conversions (other work shares this CPU: compare the ratios within one run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np

from benchmarks import decode_colour_before as before
from core.media import native, tonemap, yuv
from core.media.colour import frame_colour
from core.media.convert import content_peak, frame_to_array
from core.media.deinterlace import Deinterlacer, Interlacing
from core.media.yuv import bgr8_to_i420
from tests.core.media import colour_reference
from tests.core.media.colour_clips import (  # the standards' forward mappings, written out there
    hlg_signal_from_display,
    i420,
    pq_signal_from_display,
    rgb_to_ycbcr,
    sdr_to_display_2020,
)

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "talking_512_25fps_a.mp4"

TAGS = {
    "sdr_bt601_8bit (old path)": ("yuv420p", {}),
    "sdr_bt709_8bit": ("yuv420p", {"colorspace": 1, "color_primaries": 1, "color_trc": 1, "color_range": 1}),
    "sdr_bt709_full_8bit": ("yuv420p", {"colorspace": 1, "color_range": 2}),
    "hlg_bt2020_10bit": (
        "yuv420p10le",
        {"colorspace": 9, "color_primaries": 9, "color_trc": 18, "color_range": 1},
    ),
    "pq_bt2020_10bit": (
        "yuv420p10le",
        {"colorspace": 9, "color_primaries": 9, "color_trc": 16, "color_range": 1},
    ),
}


def _sdr_image(h: int, w: int) -> np.ndarray:
    """RGB uint8: the real face sample's first frame resized when it is there, else a smooth
    random colour field with grain."""
    if SAMPLE.is_file():
        from core.media.decode import read_frames

        return cv2.resize(read_frames(SAMPLE, [0])[0][..., ::-1], (w, h), interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(0)
    img = cv2.resize(rng.uniform(0, 1, (9, 16, 3)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img = np.clip(img + rng.normal(0, 0.02, img.shape).astype(np.float32), 0, 1)
    return (img * 255).astype(np.uint8)


def _planes(h: int, w: int, fmt: str, tags: dict) -> np.ndarray:
    """4:2:0 planes of the SDR image: as 8-bit BT.601, or carried in HLG / PQ the way a phone's HDR
    recording holds a scene (BT.2408 display light, at twice SDR's brightness so the highlights
    go through the tone map's knee: faces and clothes up to ~400 cd/m^2)."""
    img = _sdr_image(h, w)
    if "10" not in fmt:
        return cv2.cvtColor(img, cv2.COLOR_RGB2YUV_I420)
    nits = sdr_to_display_2020(img) * 2.0
    hdr = hlg_signal_from_display(nits) if tags["color_trc"] == 18 else pq_signal_from_display(nits)
    return i420(rgb_to_ycbcr(hdr, "bt2020", 10))


def _frame(h: int, w: int, fmt: str, tags: dict):
    f = av.VideoFrame.from_ndarray(_planes(h, w, fmt, tags), format=fmt)
    for k, v in tags.items():
        setattr(f, k, v)
    return f


def _time(fn, reps: int) -> tuple[float, float]:
    """(wall, process CPU) ms per call."""
    fn()
    t, c = time.perf_counter(), time.process_time()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps * 1000, (time.process_time() - c) / reps * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--out", default="benchmarks/results/decode_colour.json")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    sizes = {"1920x1080": (1080, 1920), "512x512": (512, 512)}
    cases = {}
    accuracy = {}
    tmp = tempfile.mkdtemp()
    for size, (h, w) in sizes.items():
        for name, (fmt, tags) in TAGS.items():
            frame = _frame(h, w, fmt, tags)
            cases[f"{name} {size}"] = lambda frame=frame: frame_to_array(frame, True)
            # the implementation before, behind the same reading of the frame (planes, tags, peak)
            if "bt2020" in name:
                cases[f"{name} {size} before"] = lambda frame=frame: _before(frame)
                # the tone map's parts on threads
                cases[f"{name} {size} 2 threads"] = lambda frame=frame: _tonemap(frame, workers=2)
                if size == "1920x1080":
                    accuracy[name] = _accuracy(frame)
            elif "bt709" in name:
                cases[f"{name} {size} before"] = lambda frame=frame: _before(frame)
        bgr = np.ascontiguousarray(frame_to_array(_frame(h, w, "yuv420p", {}), False))
        cases[f"encode_bt601_cv2 (old writer) {size}"] = lambda bgr=bgr: cv2.cvtColor(
            bgr, cv2.COLOR_BGR2YUV_I420
        )
        cases[f"encode_bt709 (writer) {size}"] = lambda bgr=bgr: bgr8_to_i420(bgr, "bt709")

        stream, frames = _interlaced_frames(h, w, Path(tmp))
        cases[f"bwdif_deinterlace {size}"] = lambda stream=stream, frames=frames: _deinterlace(stream, frames)
    times: dict[str, list[float]] = {k: [] for k in cases}
    cpu_times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.rounds):
        for name, fn in cases.items():
            wall, cpu = _time(fn, args.reps)
            times[name].append(wall)
            cpu_times[name].append(cpu)
    ms = {k: round(statistics.median(v), 2) for k, v in times.items()}
    cpu_ms = {k: round(statistics.median(v), 2) for k, v in cpu_times.items()}
    ratios = {}
    for size in sizes:
        base = ms[f"sdr_bt601_8bit (old path) {size}"]
        for k, v in ms.items():
            if k.endswith(size) or f"{size} " in k:
                ratios[k] = round(v / base, 2)
    for k, v in ms.items():
        print(f"{k:45s} {v:8.2f} ms/frame  {cpu_ms[k]:8.2f} ms CPU")
    for k, v in accuracy.items():
        print(k, v)
    result = {
        "what": "ms per frame of each colour route of core.media.convert (decoder excluded), bwdif, and the "
        "writer's RGB->YUV, median of rounds; cases interleaved within each round on a CPU shared with "
        "other work: compare ratios within this run. 'before': the implementation before the fast "
        "routes (benchmarks/decode_colour_before.py; for HDR the NumPy tone map the C kernel replaced), "
        "same frames, same run. OpenCV on one thread; cpu_ms_per_frame: the process's CPU time",
        "tonemap_route": "native" if native.status().ok else "numpy",
        "tonemap_native": native.status().detail,
        "ms_per_frame": ms,
        "cpu_ms_per_frame": cpu_ms,
        "accuracy": accuracy,
        "rounds": args.rounds,
        "reps": args.reps,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "default_tonemap_threads": tonemap._WORKERS,
        "ratio_to_bt601_path": ratios,
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "cv2_threads": cv2.getNumThreads(),
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))


def _before(frame) -> np.ndarray:
    """frame_to_array's reading of the frame, then the conversion as it was before the fast routes."""
    colour, planes = frame_colour(frame), yuv.planes(frame)
    if colour.needs_mapping:
        peak = content_peak(frame) if colour.transfer == "pq" else None
        return before.to_sdr_rgb8(*planes, colour, rgb=True, peak=peak, workers=1)
    return before.yuv_to_rgb8(*planes, colour.matrix, colour.full_range, colour.bits, True)


def _accuracy(frame) -> dict:
    """8-bit levels between the routes and against the exact reference, on this frame."""
    colour, planes = frame_colour(frame), yuv.planes(frame)
    peak = content_peak(frame) if colour.transfer == "pq" else None
    got = {
        "native": frame_to_array(frame, True) if native.status().ok else None,
        "numpy": before.to_sdr_rgb8(*planes, colour, rgb=True, peak=peak, workers=1),
        "reference": colour_reference.mapped_rgb8(*planes, colour, peak),
    }

    def diff(a, b) -> dict:
        d = np.abs(a.astype(np.int16) - b)
        return {"mean": round(float(d.mean()), 4), "max": int(d.max()), "share_over_1": float(np.mean(d > 1))}

    out = {"numpy_vs_reference": diff(got["numpy"], got["reference"])}
    if got["native"] is not None:
        out["native_vs_numpy"] = diff(got["native"], got["numpy"])
        out["native_vs_reference"] = diff(got["native"], got["reference"])
    return out


def _tonemap(frame, workers: int) -> np.ndarray:
    colour, planes = frame_colour(frame), yuv.planes(frame)
    peak = content_peak(frame) if colour.transfer == "pq" else None
    return tonemap.to_sdr_rgb8(*planes, colour, rgb=True, peak=peak, workers=workers)


def _interlaced_frames(h: int, w: int, folder: Path, n: int = 4):
    """`n` decoded frames of a top-field-first interlaced H.264 clip, and its (open) stream."""
    path = folder / f"i{w}x{h}.mp4"
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.codec_context.flags |= av.codec.context.Flags.interlaced_dct | av.codec.context.Flags.interlaced_me
        s.codec_context.field_order = 2
        s.options = {"preset": "ultrafast", "x264-params": "tff=1"}
        for _ in range(n):
            for p in s.encode(av.VideoFrame.from_ndarray(_planes(h, w, "yuv420p", {}), format="yuv420p")):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    container = av.open(str(path))
    stream = container.streams.video[0]
    return stream, list(container.decode(stream))


def _deinterlace(stream, frames) -> None:
    """bwdif over the frames (one graph per call: its set-up is shared by the frames)."""
    d = Deinterlacer(stream, Interlacing("top field first", True))
    list(d.run(frames))


if __name__ == "__main__":
    main()
