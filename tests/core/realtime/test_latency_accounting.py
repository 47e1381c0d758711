"""End-to-end latency on a real engine run from a file at real-time pace: the stages add up to it, the
built-in part is what the settings say, and CPU time per frame is reported.

Only accounting identities and fixed, setting-given figures are asserted (never speed), so a loaded
machine cannot make them flaky.
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
import torch

from core.realtime.assembly import build_live_parts
from core.realtime.controls import ControlValues, LiveControls
from core.realtime.engine import EngineConfig, LiveEngine
from core.realtime.ring_buffer import AudioRingBuffer
from core.realtime.sinks import FrameSlot
from core.realtime.sources import PacedSource

PARTS = ("audio_lookahead", "audio_block", "mouth_compute", "queue", "render", "sinks")


@pytest.mark.parametrize(("smoothing", "render_thread"), [(0, False), (1, False), (1, True)])
def test_stages_add_up_to_end_to_end_and_built_in_part_is_the_settings(tiny_live, smoothing, render_thread):
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu")
    )
    audio = tiny_live.speech[: int(16000 * 1.2)]  # 30 frames
    controls = LiveControls(ControlValues(lookahead=smoothing))
    # lossless: every emitted frame is rendered, so every stage has one value per frame
    engine = LiveEngine(
        PacedSource(audio, 16000, block_ms=10.0),
        parts.stepper,
        parts.avatar,
        [FrameSlot()],
        EngineConfig(lossless=True, render_thread=render_thread),
        controls=controls,
    )
    r = engine.run().report
    f, lat = r["frames"], r["latency_ms"]
    assert f["emitted"] == f["rendered"] == r["frames_expected"] == 30
    assert lat["end_to_end"]["count"] == 30 and lat["end_to_end"]["p95"] > 0
    assert all(lat[s]["count"] == 30 for s in PARTS)
    assert sum(lat[s]["mean"] for s in PARTS) == pytest.approx(lat["end_to_end"]["mean"], abs=0.5)
    built = r["built_in_latency_ms"]
    model_la = tiny_live.audio.net.cfg.lookahead
    assert built["model_lookahead"] == 40.0 * model_la and built["smoothing_lookahead"] == 40.0 * smoothing
    assert built["audio_lookahead"] == pytest.approx(30.0 + 40.0 * (model_la + smoothing))
    # frames inside the audio wait exactly the built-in lookahead (the last ones are padded: less)
    assert lat["audio_lookahead"]["p50"] == pytest.approx(built["audio_lookahead"], abs=0.1)
    assert lat["audio_lookahead"]["max"] == pytest.approx(built["audio_lookahead"], abs=0.1)
    assert 0.0 <= lat["audio_block"]["p50"] <= built["input_block"]
    # the rest of the block, plus the pacing thread's lateness (a busy machine wakes it late)
    assert lat["audio_block"]["max"] <= built["input_block"] + r["audio"]["source_max_late_ms"] + 0.1
    assert lat["end_to_end"]["p50"] >= built["audio_lookahead"]
    after = lat["from_last_sample"]
    assert after["count"] == 30
    assert after["mean"] == pytest.approx(
        lat["end_to_end"]["mean"] - lat["audio_lookahead"]["mean"], abs=0.01
    )
    cpu = r["cpu"]
    assert cpu["process_seconds"] > 0 and cpu["process_ms_per_frame"] == pytest.approx(
        cpu["process_seconds"] * 1e3 / 30
    )
    assert set(cpu["threads_seconds"]) == ({"mouth", "render"} if render_thread else {"mouth"})
    # compute split from waiting: CPU time within a stage never exceeds its wall time
    for wall, cpu_part in (("render", "render_cpu"), ("mouth_compute", "mouth_cpu")):
        assert lat[cpu_part]["count"] == 30
        assert lat[cpu_part]["mean"] <= lat[wall]["mean"] + 0.5
    assert lat["mouth_wake"]["count"] == 30 and lat["mouth_wake"]["mean"] <= lat["mouth_compute"]["mean"]
    assert r["threads"]["render_thread"] is render_thread


def test_ring_arrival_is_the_block_stamp_and_capture_is_spread_back_from_it():
    ring = AudioRingBuffer(1024, 16000)
    ring.write(np.zeros(160, np.float32), t_end=1.0)
    ring.write(np.zeros(160, np.float32), t_end=1.01)
    assert ring.arrival_time(0) == 1.0 and ring.arrival_time(159) == 1.0 and ring.arrival_time(160) == 1.01
    assert ring.capture_time(0) == pytest.approx(1.0 - 159 / 16000)
    assert ring.capture_time(319) == pytest.approx(1.01)
    assert ring.arrival_time(320) is None  # not arrived yet
    ring.write(np.zeros(160, np.float32), t_end=1.02, t_arrived=1.035)  # delivered 15 ms late
    assert ring.arrival_time(320) == 1.035 and ring.capture_time(479) == pytest.approx(1.02)


def test_samples_needed_is_the_end_of_the_lookahead_window(tiny_live):
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu")
    )
    stepper = parts.stepper
    la = stepper.lookahead
    # frame j's centre is at (j + 0.5) * 640 samples; it needs the audio up to 30 ms + lookahead past it
    for j in (0, 5, 17):
        assert stepper.samples_needed(j) == int((j + 0.5) * 640 + 16 * (30 + 40 * la))
    # and the stepper emits frame j exactly when that many samples have arrived
    need = stepper.samples_needed(3)
    audio = tiny_live.speech
    before = stepper.push(audio[: need - 1])
    assert [f.index for f in before] == [0, 1, 2]
    assert [f.index for f in stepper.push(audio[need - 1 : need])] == [3]


@pytest.mark.parametrize("render_thread", [True, False])
def test_the_per_frame_log_covers_every_frame_once_in_order_and_its_stages_add_up(tiny_live, render_thread):
    from core.realtime.stats import frame_breakdown

    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu")
    )
    engine = LiveEngine(
        PacedSource(tiny_live.speech[: int(16000 * 1.2)], 16000, block_ms=10.0),
        parts.stepper,
        parts.avatar,
        [FrameSlot()],
        # the frame path asks for the nice value it has (no real-time request): nothing changes, each
        # thread reports it
        EngineConfig(
            lossless=True,
            render_thread=render_thread,
            frame_nice=os.getpriority(os.PRIO_PROCESS, 0),
            frame_realtime=None,
        ),
    )
    r = engine.run().report
    threads = {"mouth", "render", "source"} if render_thread else {"mouth", "source"}
    assert set(r["threads"]["priority"]) == threads
    assert all(
        v.startswith("nice ") or v.startswith("left as it is") for v in r["threads"]["priority"].values()
    )
    log = engine.stats.frame_log
    assert [f.index for f in log] == list(range(30)) == list(range(r["frames"]["rendered"]))
    for f in log:  # instants in the order the frame passes them
        assert f.t_capture <= f.t_needed <= f.t_arrived <= f.t_mouth
        assert f.t_mouth <= f.t_render_start <= f.t_render_end <= f.t_presented
        assert f.mouth_cpu_ms >= 0 and f.render_cpu_ms >= 0
    bd = frame_breakdown(log)
    speech = [f for f in log if not f.idle]
    assert bd["frames"] == len(speech) > 0
    parts_mean = sum(bd["stages"][s]["mean"] for s in ("lookahead", "block", "wake", "mouth", "handoff"))
    parts_mean += bd["stages"]["render"]["mean"] + bd["stages"]["present"]["mean"]
    assert parts_mean == pytest.approx(bd["end_to_end"]["mean"], abs=1e-6)
    e2e = [(f.t_presented - f.t_capture) * 1e3 for f in speech]
    assert bd["end_to_end"]["max"] == pytest.approx(max(e2e))
    # the tail's stages are means over its frames: they add up to those frames' mean latency
    tail = [x for x in e2e if x >= np.percentile(e2e, 95)]
    stages = ("lookahead", "block", "wake", "mouth", "handoff", "render", "present")
    assert sum(bd["stages"][s]["tail_mean"] for s in stages) == pytest.approx(np.mean(tail), abs=1e-6)
    # one thread presents frames: each starts after the one before it was presented
    assert all(b.t_render_start >= a.t_presented for a, b in itertools.pairwise(log))
