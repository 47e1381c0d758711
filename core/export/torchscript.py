"""TorchScript: traced, frozen modules that load and run with torch alone.

The exported file is the subject's explicit-input module (the audio step with its LSTM state,
or the renderer with cached reference features) traced on a real held-out input, frozen
(weights folded in as constants, no Python attribute lookups left) and saved with
`torch.jit.save`. Validation loads it in a fresh interpreter that cannot import this project
(`core.export.isolated`), plays the held-out feeds through it there, and compares the outputs
with PyTorch here.

Example:
    >>> exported = write(subject, Path("out"), Path("scratch"))
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch

from core.export.isolated import run_isolated
from core.export.result import FP32_MIN_PSNR_DB, Exported
from core.export.subjects import Feed, RunFn, Subject

# Runs in the fresh interpreter: load, play the feeds carrying state, save the first outputs.
_PLAY = """
import json, numpy as np, torch
spec = json.load(open("spec.json"))
module = torch.jit.load(spec["model"])
data = np.load("feeds.npz")
state = {k: torch.from_numpy(data["state_" + k]) for k in spec["carry"]}
consts = {k: torch.from_numpy(data["const_" + k]) for k in spec["constants"]}
outs = []
with torch.inference_mode():
    for i in range(spec["calls"]):
        feed = {**consts, **state, **{k: torch.from_numpy(data[f"feed{i}_" + k]) for k in spec["per_call"]}}
        y = module(*(feed[n] for n in spec["inputs"]))
        y = y if isinstance(y, tuple) else (y,)
        outs.append(y[0].numpy())
        state = {k: y[j] for k, j in spec["carry"].items()}
np.save("outputs.npy", np.stack(outs))
print("played", spec["calls"])
"""


def trace(subject: Subject) -> torch.jit.ScriptModule:
    feed = subject.example_feed()
    args = tuple(torch.from_numpy(feed[n]) for n in subject.input_names)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(subject.module.eval(), args, check_trace=False)
        return torch.jit.freeze(traced.eval())


def script_runner(module: torch.jit.ScriptModule, subject: Subject) -> RunFn:
    def run(feed: Feed) -> list[np.ndarray]:
        with torch.inference_mode():
            y = module(*(torch.from_numpy(feed[n]) for n in subject.input_names))
        return [t.numpy() for t in (y if isinstance(y, tuple) else (y,))]

    return run


def play_isolated(model: Path, subject: Subject, work: Path) -> np.ndarray:
    """The held-out outputs of the saved module, computed in a fresh process without the project."""
    work.mkdir(parents=True, exist_ok=True)
    arrays = {f"const_{k}": v for k, v in subject.constants.items()}
    arrays.update({f"state_{k}": v for k, v in subject.initial_state.items()})
    per_call = sorted(subject.held_out[0])
    for i, f in enumerate(subject.held_out):
        arrays.update({f"feed{i}_{k}": f[k] for k in per_call})
    np.savez(work / "feeds.npz", **arrays)
    spec = {
        "model": str(model.resolve()),
        "inputs": subject.input_names,
        "constants": sorted(subject.constants),
        "carry": subject.carry,
        "per_call": per_call,
        "calls": len(subject.held_out),
    }
    (work / "spec.json").write_text(json.dumps(spec))
    run_isolated(_PLAY, work)
    return np.load(work / "outputs.npy")


def write(subject: Subject, folder: Path, scratch: Path) -> Exported:
    path = folder / f"{subject.name}.torchscript.pt"
    module = trace(subject)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch 2.13 steers to torch.export
        torch.jit.save(module, str(path))
        loaded = torch.jit.load(str(path))
    outputs = play_isolated(path, subject, scratch / "isolated")
    return Exported(
        files=[path],
        outputs=outputs,
        threshold_db=FP32_MIN_PSNR_DB,
        runtime="torchscript",
        runners={"torchscript": script_runner(loaded, subject)},
        providers=["torch (TorchScript, CPU)"],
        notes=["parity computed in a fresh Python process that cannot import the project"],
    )
