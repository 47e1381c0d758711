"""The CPU thread policy: environment before torch, thread choice from the free cores, cpu_threads field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

from core.compute import threads
from core.compute.threads import CpuState, apply_process_policy, choose_threads, use_cpu_threads
from core.config.errors import ConfigError
from core.config.loader import load_config
from core.gaussians.train.config import GaussianConfig
from core.lipsync.train_config import DinetTrainConfig
from core.mouth.config import Audio2MouthConfig

REPO = Path(__file__).resolve().parents[3]


def _child_env(**extra: str) -> dict[str, str]:
    """This environment without the thread settings a developer's shell may export."""
    drop = (*threads.ENV_BEFORE_TORCH, "OMP_NUM_THREADS", "MKL_NUM_THREADS", threads.POLICY_SWITCH)
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPATH"] = str(REPO)
    return {**env, **extra}


# --- the environment, in a real child process ------------------------------------------------------
def test_cli_entry_sets_passive_wait_before_torch_loads() -> None:
    """`dhstudio doctor` loads torch (to check it) after the entry point ran; libgomp must read
    PASSIVE (its spin count 0, printed by OMP_DISPLAY_ENV) — the default spins 300000 times."""
    proc = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", "doctor"],
        env=_child_env(OMP_DISPLAY_ENV="VERBOSE"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "GOMP_SPINCOUNT = '0'" in proc.stderr, proc.stderr[-2000:]

    off = subprocess.run(  # the switch that keeps OpenMP's defaults (what the benchmark compares)
        [sys.executable, "-m", "studio.cli.main", "doctor"],
        env=_child_env(OMP_DISPLAY_ENV="VERBOSE", DHSTUDIO_THREAD_POLICY="off"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert off.returncode == 0 and "GOMP_SPINCOUNT = '300000'" in off.stderr


def test_child_sees_policy_and_requested_threads() -> None:
    script = (
        "import json, os, sys\n"
        "from core.compute.threads import apply_process_policy, use_cpu_threads\n"
        "state = apply_process_policy()\n"
        "import torch\n"
        "with use_cpu_threads(1) as choice:\n"
        "    inside = torch.get_num_threads()\n"
        "env = os.environ\n"
        "print(json.dumps({'wait': env.get('OMP_WAIT_POLICY'), 'block': env.get('KMP_BLOCKTIME'),\n"
        "    'late': state.torch_was_loaded, 'inside': inside, 'after': torch.get_num_threads(),\n"
        "    'reason': choice.reason}))\n"
    )
    env = _child_env(OMP_NUM_THREADS="2")  # the user's count: torch starts with 2
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["wait"] == "PASSIVE" and got["block"] == "0" and got["late"] is False
    assert got["inside"] == 1 and got["after"] == 2  # the job's count, then restored
    assert got["reason"] == "cpu_threads = 1 (set in the job)"


def test_apply_keeps_user_values_and_the_off_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_state", threads.policy_state())  # this process's record comes back
    env = {"OMP_WAIT_POLICY": "ACTIVE"}
    state = apply_process_policy(env)
    assert env == {"OMP_WAIT_POLICY": "ACTIVE", "KMP_BLOCKTIME": "0"}
    assert state.user_set == ("OMP_WAIT_POLICY",) and state.set_here == ("KMP_BLOCKTIME",)
    off = {"DHSTUDIO_THREAD_POLICY": "off"}
    assert apply_process_policy(off).disabled and off == {"DHSTUDIO_THREAD_POLICY": "off"}
    child = threads.child_environment({"PYTHONPATH": "x", "A": "1"}, drop=("PYTHONPATH",))
    assert child == {"A": "1", "OMP_WAIT_POLICY": "PASSIVE", "KMP_BLOCKTIME": "0"}


# --- the choice --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cores", "physical", "busy", "env", "reserve", "expected"),
    [
        (2, 2, 0.1, {}, 0.0, 2),  # a quiet 2-core machine: both
        (2, 2, 0.7, {}, 0.0, 1),  # another process holds most of a core
        (2, 2, 2.0, {}, 0.0, 1),  # everything busy: never fewer than one
        (8, 4, 0.0, {}, 0.0, 4),  # hyper-threads: physical cores only
        (16, 16, 3.2, {}, 0.0, 13),
        (16, 16, 0.0, {"LOCAL_WORLD_SIZE": "4"}, 0.0, 4),  # DDP ranks split the cores
        (2, 2, 0.0, {}, 1.0, 1),  # a core kept back for other threads
    ],
)
def test_auto_choice_from_free_cores(cores, physical, busy, env, reserve, expected) -> None:
    cpu = CpuState(cores=cores, physical=physical, busy=busy, source="given")
    choice = choose_threads(0, cpu, reserve=reserve, env=env)
    assert choice.threads == expected
    assert choice.reason.startswith("auto:") and f"others busy {busy:.1f}" in choice.reason


def test_explicit_settings_win_over_auto() -> None:
    cpu = CpuState(cores=2, physical=2, busy=2.0, source="given")
    assert choose_threads(3, cpu, env={"OMP_NUM_THREADS": "1"}).threads == 3  # the job's value first
    user = choose_threads(0, cpu, env={"OMP_NUM_THREADS": "5"})
    assert user.threads == 5 and "set by the user" in user.reason


def test_proc_stat_and_sysfs_are_read(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    stat.write_text(
        "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 100 0 0 300 100 0 0 0 0 0\ncpu1 5 0 5 90 0 0 0 0 0 0\nintr 1\n"
    )
    assert threads._cpu_times([0], stat) == {0: (400, 500)}
    assert threads.busy_from_proc_stat([0, 1], sample_s=0.0, stat=stat) == 0.0  # nothing moved
    for cpu, siblings in ((0, "0,2"), (1, "1,3"), (2, "0,2"), (3, "1,3")):
        (tmp_path / f"cpu{cpu}" / "topology").mkdir(parents=True)
        (tmp_path / f"cpu{cpu}" / "topology" / "thread_siblings_list").write_text(siblings + "\n")
    assert threads.physical_cores([0, 1, 2, 3], tmp_path) == 2
    assert threads.physical_cores([0, 2], tmp_path) == 1


def test_measured_state_is_within_the_affinity() -> None:
    cpu = threads.measure_cpu(sample_s=0.05)
    assert cpu.cores == len(os.sched_getaffinity(0)) and 1 <= cpu.physical <= cpu.cores
    assert 0.0 <= cpu.busy <= cpu.cores


def test_use_cpu_threads_restores_the_count() -> None:
    before = torch.get_num_threads()
    with use_cpu_threads(1) as choice:
        assert torch.get_num_threads() == 1 and choice.threads == 1
    assert torch.get_num_threads() == before


# --- one cpu_threads field in every job config ------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "base"),
    [(DinetTrainConfig, {"train": {"steps": 1}}), (GaussianConfig, {}), (Audio2MouthConfig, {})],
)
def test_every_job_config_has_cpu_threads(model, base) -> None:
    def make(value):
        data = {**base, "train": {**base.get("train", {}), "cpu_threads": value}}
        return model.model_validate(data)

    assert make("auto").train.cpu_threads == 0
    assert make(3).train.cpu_threads == 3
    for bad in (-1, 257, True, "many"):
        with pytest.raises(ValidationError) as err:
            make(bad)
        assert err.value.errors()[0]["loc"] == ("train", "cpu_threads")


def test_bad_cpu_threads_names_file_field_and_range(tmp_path: Path) -> None:
    path = tmp_path / "job.toml"
    path.write_text('kind = "dinet"\n[train]\nsteps = 5\ncpu_threads = -2\n')
    with pytest.raises(ConfigError) as err:
        load_config(DinetTrainConfig, path)
    text = str(err.value)
    assert str(path) in text and "train.cpu_threads" in text and "1..256" in text and "'auto'" in text
