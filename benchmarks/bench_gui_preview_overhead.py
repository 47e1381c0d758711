"""Training steps/s with and without the studio's training panel attached: same run, interleaved.

One run is trained in segments of ``--segment`` steps that alternate between
* headless: the job runs in this thread through ``core.jobs.job.execute``, events dropped;
* GUI: the training panel continues the run (Continue run) with every view live: curves, sample
  and attention previews pulled from the preview slot, the status line; the window is shown
  (offscreen platform unless a display is set).
Every segment resumes the same run from its checkpoint, so both sides train the same model at
the same stage. Steps/s is taken from the progress events' wall-clock times, skipping each
segment's first ``--warmup`` steps (resume and the first batch). The overhead is the median over
the pairs of adjacent segments (ABBA order) of 1 - GUI rate / headless rate, which cancels slow
drifts of the machine's load; the GUI thread's own CPU time per wall second is reported too.
Target: the GUI costs < 5 %. The load average is recorded because other work may share the CPU.
The process starts as the studio does (core.compute.threads' policy before torch loads) and both
sides train with ``train.cpu_threads = --threads`` (1 by default: the figure before the policy was
taken at 1 thread; 0 = the auto choice).

Usage: QT_QPA_PLATFORM=offscreen PYTHONPATH=. python benchmarks/bench_gui_preview_overhead.py
       [--pairs 3] [--segment 60] [--out benchmarks/results/gui_preview_overhead.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from core.compute.threads import apply_process_policy

apply_process_policy()  # as every studio entry point does, before torch loads

import core.config.model  # noqa: E402, F401  (pydantic before PySide6, see tests/conftest.py)

TINY_DINET = {
    "discriminator.base_channels": 8,
    "discriminator.num_scales": 1,
    "train.batch_size": 4,
    "train.preview_every": 10,
    "train.log_every": 1,
    "train.checkpoint_every": 1000,
    "model.attention.spatial_channel": True,
    "model.attention.mouth": True,
}


def _project(root: Path):
    from core.face.prepare_job import PrepareJob, PrepareSettings
    from core.jobs.collector import CollectingRunner
    from core.synth.talking_head import DemoClipSpec, generate, write
    from studio.project import create_project

    project = create_project(root, "bench")
    clip = generate(DemoClipSpec(size=256, fps=25, duration=2.0, seed=3))
    write(clip, project.media_dir / "tiny.mp4", project.media_dir / "tiny_truth.json")
    result = CollectingRunner().run(
        PrepareJob(
            project.media_dir / "tiny.mp4", project.prepared_dir / "tiny", PrepareSettings(mouth_size=64)
        )
    )
    assert result.ok, result.error
    project.add_clip("tiny")
    return project


def _rate(times: list[tuple[float, int]], warmup: int) -> float:
    times = times[warmup:]
    (t0, s0), (t1, s1) = times[0], times[-1]
    return (s1 - s0) / (t1 - t0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pairs", type=int, default=6)
    p.add_argument("--segment", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=1, help="train.cpu_threads of the run (0 = auto)")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/gui_preview_overhead.json"))
    args = p.parse_args()

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from core.io.atomic import write_json
    from core.jobs.events import Progress
    from core.jobs.job import execute
    from core.train.spec import TrainRequest
    from studio.cli.cmd_train import prepare_run, resolve_clips
    from studio.gui.training_controller import TrainingController
    from ui.training_view import TrainingView

    app = QApplication.instance() or QApplication([])
    project = _project(Path(tempfile.mkdtemp()) / "proj")
    view = TrainingView()
    view.resize(1400, 900)
    view.show()
    c = TrainingController(view, project)
    c.select("dinet", "dinet_mini")
    for path, value in {**TINY_DINET, "train.cpu_threads": args.threads}.items():
        c.edit(path, value)
    assert c.config is not None, view.message.text()
    view.device.setCurrentText("cpu")

    gui_clock_id = time.pthread_getcpuclockid(threading.main_thread().ident)

    def _gui_cpu() -> float:  # the GUI thread's CPU seconds, read from the worker thread
        return time.clock_gettime(gui_clock_id)

    def gui_segment(target: int, first: bool) -> tuple[float, str]:
        times: list[tuple[float, int]] = []
        gui_clock: list[float] = []
        view.max_steps.setValue(target)
        loop = QEventLoop()
        c.run_finished.connect(loop.quit)
        c.run_started.connect(
            lambda _p: c.job.worker.progress.connect(
                lambda s, _t, _m: (times.append((time.perf_counter(), s)), gui_clock.append(_gui_cpu()))
            )
        )
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        run = c.start() if first else c.continue_run(run_name)
        assert run is not None, view.message.text()
        loop.exec()
        gui_cpu.append((time.thread_time() - cpu0) / (time.perf_counter() - wall0))
        (t0, _), (t1, _) = times[args.warmup], times[-1]
        gui_cpu_training.append((gui_clock[-1] - gui_clock[args.warmup]) / (t1 - t0))
        c.run_finished.disconnect(loop.quit)
        c.run_started.disconnect()
        return _rate(times, args.warmup), run.path.name

    def headless_segment(target: int) -> float:
        times: list[tuple[float, int]] = []
        ns = argparse.Namespace(
            job=project.runs_dir / run_name / "config.toml",
            overrides=[],
            max_steps=target,
            device="cpu",
            run_name=run_name,
            resume=True,
        )
        spec, config, run = prepare_run(ns, project)
        run.attach_log()  # as `dhstudio train` and the panel do
        request = TrainRequest(resolve_clips(project, []), run, "cpu", target, True, project.root)

        def sink(event) -> None:
            if isinstance(event, Progress):
                times.append((time.perf_counter(), event.step))

        result = execute(spec.train_job(config, request), sink)
        run.close()
        assert result.ok, result.error
        return _rate(times, args.warmup)

    gui, headless, gui_cpu = [], [], []  # gui_cpu: GUI thread CPU seconds per wall second
    gui_cpu_training: list[float] = []  # the same over the timed steps only (no segment start or end)
    target = args.segment
    _, run_name = gui_segment(target, first=True)  # creates the run (counted as a warm-up)
    for i in range(args.pairs):
        for mode in ("headless", "gui") if i % 2 == 0 else ("gui", "headless"):
            target += args.segment
            if mode == "gui":
                gui.append(gui_segment(target, first=False)[0])
            else:
                headless.append(headless_segment(target))
            print(
                f"{mode:8s} steps {target - args.segment}-{target}: "
                f"{(gui if mode == 'gui' else headless)[-1]:.2f} steps/s",
                flush=True,
            )
    c.shutdown()
    view.close()
    view.deleteLater()
    app.processEvents()  # tear the widgets down before the interpreter does (pyqtgraph at exit)
    med_gui, med_headless = statistics.median(gui), statistics.median(headless)
    paired = [100.0 * (1.0 - g / h) for g, h in zip(gui, headless, strict=True)]
    overhead = statistics.median(paired)
    out = {
        "benchmark": "gui_preview_overhead",
        "run": "dinet mini, mouth 64, batch 4, attention (spatial+mouth), previews every 10 steps, CPU",
        "segment_steps": args.segment,
        "steps_per_s_headless": [round(r, 3) for r in headless],
        "steps_per_s_gui": [round(r, 3) for r in gui],
        "median_headless": round(med_headless, 3),
        "median_gui": round(med_gui, 3),
        "overhead_percent_per_pair": [round(p, 2) for p in paired],
        "overhead_percent": round(overhead, 2),
        "gui_thread_cpu_fraction": [round(f, 4) for f in gui_cpu],
        "gui_thread_cpu_fraction_while_training": [round(f, 4) for f in gui_cpu_training],
        "target_percent": 5.0,
        "platform": os.environ.get("QT_QPA_PLATFORM", app.platformName()),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_avg": os.getloadavg(),
        "train_cpu_threads": args.threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "curve_redraw_interval_ms_last": c.redraw_timer.interval(),
        "method": "ABBA-interleaved segments of one run, overhead per adjacent pair, median",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.out, out)
    print(f"headless {med_headless:.2f} steps/s, GUI {med_gui:.2f} steps/s (medians)")
    print(f"overhead per pair {', '.join(f'{p:.1f}' for p in paired)} %: median {overhead:.1f} %")
    print(f"GUI thread busy {100 * statistics.median(gui_cpu):.1f} % of the wall time")
    print(f"... {100 * statistics.median(gui_cpu_training):.1f} % over the timed steps (no start, no end)")
    sys.stdout.flush()
    os._exit(0)  # results are written; skip PySide6/pyqtgraph teardown at exit (it can crash)


if __name__ == "__main__":
    main()
