"""The `cpu_threads` field every job config shares: one meaning everywhere (0 = auto)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from core.compute.threads import MAX_THREADS


def _cpu_threads(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() == "auto":
        return 0
    if isinstance(value, bool) or (isinstance(value, int) and not 0 <= value <= MAX_THREADS):
        raise ValueError(
            f"cpu_threads must be 0 or 'auto' (chosen from the free cores) or 1..{MAX_THREADS} "
            f"torch threads, got {value!r}"
        )
    return value


# torch intra-op threads on the CPU for this job; 0 ("auto") = the free cores (core.compute.threads)
CpuThreads = Annotated[int, BeforeValidator(_cpu_threads), Field(ge=0, le=MAX_THREADS)]
