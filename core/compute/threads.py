"""CPU thread policy: OpenMP threads sleep when idle, and torch uses only the cores that are free.

Why: PyTorch's OpenMP threads spin at every barrier by default. Beside another busy process a
2-thread training run then burns its time slices spinning, and 40 DINet mini steps at mouth 64 took
4.1x as long as alone (a fair share of a machine held by a 2-thread competitor is about 2x).
Two parts, both Qt-free and importable before torch:

* :func:`apply_process_policy` sets the environment OpenMP reads once, when torch's shared library
  loads (``OMP_WAIT_POLICY=PASSIVE``; ``KMP_BLOCKTIME=0`` for Intel/LLVM OpenMP builds). Every entry
  point calls it first (``dhstudio``, ``python -m studio``); child processes inherit it through
  ``os.environ`` (or :func:`child_environment`). A value the user exported wins, and
  ``DHSTUDIO_THREAD_POLICY=off`` leaves OpenMP's defaults (for comparisons).
* :func:`choose_threads` picks the intra-op thread count of a run: a job's explicit ``cpu_threads``
  (> 0) first, then a user's ``OMP_NUM_THREADS``, else auto — the cores this process may run on
  (``os.sched_getaffinity``, physical cores only, split between the local DDP ranks) minus those
  other processes keep busy (measured from ``/proc/stat`` over a quarter second, or from the load
  average where that file is absent), never fewer than one. The GUI thread needs no core of its
  own: it is busy under 1 % of the time while a run trains (the preview-overhead benchmark).
  :func:`use_cpu_threads` applies it on the calling thread for one run.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# What OpenMP reads when torch's library loads (too late afterwards): idle threads sleep at once
ENV_BEFORE_TORCH: dict[str, str] = {
    "OMP_WAIT_POLICY": "PASSIVE",  # GNU and LLVM OpenMP: no spinning at barriers
    "KMP_BLOCKTIME": "0",  # Intel / LLVM OpenMP: milliseconds to spin before sleeping
}
POLICY_SWITCH = "DHSTUDIO_THREAD_POLICY"  # "off": leave OpenMP's defaults alone
MAX_THREADS = 256
SAMPLE_S = 0.25  # how long /proc/stat is watched to see which cores are busy


@dataclass(frozen=True)
class PolicyState:
    """What :func:`apply_process_policy` found and did (the doctor reports it)."""

    applied: bool = False  # apply_process_policy ran in this process
    disabled: bool = False  # DHSTUDIO_THREAD_POLICY=off
    set_here: tuple[str, ...] = ()  # variables this process set
    user_set: tuple[str, ...] = ()  # variables the user had set (kept)
    torch_was_loaded: bool = False  # torch came first: OpenMP had already read its environment

    def describe(self) -> str:
        env = ", ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in ENV_BEFORE_TORCH)
        if not self.applied:
            return f"{env} (the thread policy was not applied in this process)"
        if self.disabled:
            return f"{env} (off: {POLICY_SWITCH}=off keeps OpenMP's defaults)"
        parts = [env]
        if self.user_set:
            parts.append(f"kept the user's {', '.join(self.user_set)}")
        if self.torch_was_loaded:
            parts.append("applied after torch loaded: OpenMP kept its own defaults")
        elif self.set_here:
            parts.append("set before torch loaded")
        return "; ".join(parts)


_state = PolicyState()


def apply_process_policy(environ: os._Environ | dict[str, str] | None = None) -> PolicyState:
    """Set OpenMP's environment before torch loads; idempotent; returns what it did."""
    global _state
    env = os.environ if environ is None else environ
    if env.get(POLICY_SWITCH, "").lower() == "off":
        _state = PolicyState(applied=True, disabled=True)
        return _state
    set_here = [k for k in ENV_BEFORE_TORCH if k not in env]
    user_set = [k for k in ENV_BEFORE_TORCH if k in env and env[k] != ENV_BEFORE_TORCH[k]]
    if _state.applied and not set_here:  # already applied: keep the first record
        return _state
    for key in set_here:
        env[key] = ENV_BEFORE_TORCH[key]
    _state = PolicyState(
        applied=True,
        set_here=tuple(set_here),
        user_set=tuple(user_set),
        torch_was_loaded="torch" in sys.modules,
    )
    return _state


def policy_state() -> PolicyState:
    return _state


def child_environment(base: Mapping[str, str] | None = None, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment for a Python child process: ``base`` (os.environ) with the policy, minus ``drop``."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in drop}
    if env.get(POLICY_SWITCH, "").lower() != "off":
        for key, value in ENV_BEFORE_TORCH.items():
            env.setdefault(key, value)
    return env


# --- what the machine has free -------------------------------------------------------------------
@dataclass(frozen=True)
class CpuState:
    """The cores this process may use and how many of them other work keeps busy."""

    cores: int  # logical CPUs in this process's affinity
    physical: int  # physical cores among them (hyper-threads share one)
    busy: float  # cores' worth of time used by others (0 .. cores)
    source: str  # how `busy` was measured
    load_average: float | None = None  # 1-minute load average, for reports

    @property
    def free(self) -> float:
        return max(0.0, self.cores - self.busy)


def affinity() -> list[int]:
    """The CPUs this process may run on."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return list(range(os.cpu_count() or 1))


def physical_cores(cpus: list[int], sysfs: Path = Path("/sys/devices/system/cpu")) -> int:
    """Distinct physical cores among ``cpus`` (sibling hyper-threads count once)."""
    groups: set[str] = set()
    for cpu in cpus:
        try:
            groups.add((sysfs / f"cpu{cpu}" / "topology" / "thread_siblings_list").read_text().strip())
        except OSError:
            return len(cpus)
    return max(1, len(groups))


def _cpu_times(cpus: list[int], stat: Path) -> dict[int, tuple[int, int]]:
    """(idle, total) jiffies per CPU from /proc/stat (idle includes iowait)."""
    out: dict[int, tuple[int, int]] = {}
    wanted = set(cpus)
    for line in stat.read_text().splitlines():
        if not line.startswith("cpu") or line.startswith("cpu "):
            continue
        name, *fields = line.split()
        cpu = int(name[3:])
        if cpu in wanted:
            values = [int(v) for v in fields[:8]]  # user nice system idle iowait irq softirq steal
            out[cpu] = (values[3] + values[4], sum(values))
    return out


def busy_from_proc_stat(
    cpus: list[int], sample_s: float = SAMPLE_S, stat: Path = Path("/proc/stat")
) -> float:
    """Cores' worth of non-idle time on ``cpus`` over ``sample_s`` (the caller sleeps meanwhile)."""
    before = _cpu_times(cpus, stat)
    time.sleep(sample_s)
    after = _cpu_times(cpus, stat)
    busy = 0.0
    for cpu, (idle1, total1) in after.items():
        idle0, total0 = before.get(cpu, (idle1, total1))
        if total1 > total0:
            busy += 1.0 - (idle1 - idle0) / (total1 - total0)
    return busy


def _own_load_share() -> float:
    """This process's estimated part of the 1-minute load average (its mean CPU use, aged in)."""
    t = os.times()
    try:
        age = time.time() - Path(f"/proc/{os.getpid()}").stat().st_mtime
    except OSError:
        age = t.elapsed
    age = max(age, 1e-3)
    rate = (t.user + t.system) / age
    return rate * (1.0 - math.exp(-age / 60.0))


def measure_cpu(sample_s: float = SAMPLE_S) -> CpuState:
    """Cores in the affinity and how busy other work keeps them, measured now."""
    cpus = affinity()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    try:
        busy, source = busy_from_proc_stat(cpus, sample_s), f"/proc/stat over {sample_s:g} s"
    except (OSError, ValueError):
        if load is None:
            busy, source = 0.0, "unknown (no /proc/stat, no load average)"
        else:
            busy, source = max(0.0, load - _own_load_share()), "1-minute load average"
    busy = min(float(len(cpus)), busy)
    return CpuState(len(cpus), physical_cores(cpus), busy, source, load)


# --- the choice ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThreadChoice:
    threads: int
    reason: str


def _user_threads(env: Mapping[str, str]) -> int | None:
    value = env.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def choose_threads(
    requested: int = 0,
    cpu: CpuState | None = None,
    reserve: float = 0.0,
    env: Mapping[str, str] | None = None,
) -> ThreadChoice:
    """The intra-op thread count for one run; ``requested`` is a job's ``cpu_threads`` (0 = auto);
    ``reserve``: cores kept out of an auto choice for other threads of this process."""
    env = os.environ if env is None else env
    if requested > 0:
        return ThreadChoice(requested, f"cpu_threads = {requested} (set in the job)")
    user = _user_threads(env)
    if user is not None:
        return ThreadChoice(user, f"OMP_NUM_THREADS={user} (set by the user)")
    cpu = measure_cpu() if cpu is None else cpu
    ranks = max(1, int(env.get("LOCAL_WORLD_SIZE", "1") or 1))
    usable = max(1, cpu.physical // ranks)
    free = cpu.free / ranks - reserve
    threads = max(1, min(usable, math.floor(free + 0.5)))  # a core over half free counts
    why = (
        f"auto: {cpu.cores} CPUs in affinity ({cpu.physical} physical), "
        f"others busy {cpu.busy:.1f} ({cpu.source})"
    )
    if ranks > 1:
        why += f", split between {ranks} local ranks"
    if reserve:
        why += f", {reserve:g} kept back"
    return ThreadChoice(threads, why)


@contextmanager
def use_cpu_threads(requested: int = 0, cpu: CpuState | None = None) -> Iterator[ThreadChoice]:
    """Run the block with the chosen torch intra-op thread count on this thread, then restore it."""
    import torch

    choice = choose_threads(requested, cpu)
    before = torch.get_num_threads()
    torch.set_num_threads(choice.threads)
    try:
        yield choice
    finally:
        torch.set_num_threads(before)
