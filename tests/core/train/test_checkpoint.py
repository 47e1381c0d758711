"""The common checkpoint header: written by the loop, checked by every reader, old files still read."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch

from core.jobs.errors import BadInput
from core.train.checkpoint import all_finite, make_header, read_checkpoint, save_checkpoint


def test_header_round_trip(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "last.pt", {"w": torch.ones(2), **make_header("dinet", 7, {"a": 1})})
    ckpt = read_checkpoint(path, "dinet")
    assert ckpt["step"] == 7 and ckpt["config"] == {"a": 1} and ckpt["format_version"] == 1
    assert torch.equal(ckpt["w"], torch.ones(2))
    with pytest.raises(BadInput, match="is a 'dinet' checkpoint, not a gaussian one"):
        read_checkpoint(path, "gaussian")


@pytest.mark.parametrize(
    ("legacy", "kind"),
    [
        ({"format": "dhstudio.dinet.v1", "step": 3, "generator": {}}, "dinet"),
        ({"kind": "audio2mouth", "step": 3, "model": {}, "config": {"x": 1}}, "audio2mouth"),
        ({"version": 1, "step": 3, "params": {}, "extras": {}}, "gaussian"),
    ],
)
def test_checkpoints_from_before_the_header_are_recognised(tmp_path: Path, legacy: dict, kind: str) -> None:
    path = save_checkpoint(tmp_path / "old.pt", legacy)
    ckpt = read_checkpoint(path, kind)
    assert ckpt["kind"] == kind and ckpt["step"] == 3
    other = "gaussian" if kind != "gaussian" else "dinet"
    with pytest.raises(BadInput, match=f"not a {other} one"):
        read_checkpoint(path, other)


def test_a_pickle_that_would_run_code_is_refused_without_advice_to_trust_it(tmp_path: Path) -> None:
    class Payload:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Payload()}, protocol=2))
    with pytest.raises(BadInput) as info:
        read_checkpoint(path, "dinet")
    message = str(info.value)
    assert "is not a studio checkpoint" in message and "weights_only=False" not in message
    assert "Do not" in message


def test_all_finite() -> None:
    assert all_finite({"a": torch.ones(2), "b": [torch.zeros(1), 3], "n": torch.tensor([1, 2])})
    assert not all_finite({"a": {"b": torch.tensor([1.0, float("nan")])}})
