"""The avatar-kind registry: kind name -> the module attribute holding its `AvatarKind`.

Entries are imported lazily so `dhstudio --help` and the GUI start without loading torch models.
A new family is one line here plus its kind module.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.kinds.base import AvatarKind

# kind name -> "module:attribute"
KINDS: dict[str, str] = {
    "audio2mouth": "core.mouth.kind:KIND",
    "dinet": "core.lipsync.kind:KIND",
    "gaussian": "core.gaussians.train.kind:KIND",
}


def kind_names() -> tuple[str, ...]:
    return tuple(KINDS)


def avatar_kind(name: str, source: str = "") -> AvatarKind:
    """The kind called `name`; `source` (a file or run folder) prefixes the error."""
    target = KINDS.get(name)
    if target is None:
        where = f"{source}: " if source else ""
        raise BadInput(
            Text(
                "{where}field 'kind' is {name!r}; allowed: {kinds}",
                where=where,
                name=name,
                kinds=", ".join(KINDS),
            )
        )
    module, attr = target.split(":")
    kind = getattr(importlib.import_module(module), attr)
    if not isinstance(kind, AvatarKind) or kind.name != name:
        raise RuntimeError(f"registry entry {name!r} -> {target} is not AvatarKind {name!r}")
    return kind


def all_kinds() -> list[AvatarKind]:
    return [avatar_kind(n) for n in KINDS]


def kind_of_run(run_dir: Path | str) -> AvatarKind:
    """The kind of a run folder, from its status.json; bad input names the folder and the fix."""
    from core.train.run_folder import RunFolder

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise BadInput(Text("{run_dir} is not a run folder; give PROJECT/runs/<run>.", run_dir=run_dir))
    if not (run_dir / "status.json").exists():
        raise BadInput(
            Text(
                "{run_dir} is not a training run (it has no status.json); give "
                "PROJECT/runs/<run> of a run made by `dhstudio train`.",
                run_dir=run_dir,
            )
        )
    status = RunFolder(run_dir).load_status()  # DamagedRun (BadInput) names the file
    return avatar_kind(status["kind"], str(run_dir / "status.json"))


def audio_model_kind() -> AvatarKind:
    """The kind whose runs drive the others' mouths (the audio-to-mouth model)."""
    found = [k for k in all_kinds() if k.provides_audio_model]
    if len(found) != 1:
        raise RuntimeError(f"exactly one kind must provide the audio model; found {[k.name for k in found]}")
    return found[0]


def export_formats() -> dict[str, tuple[str, ...]]:
    """Every export format -> the kinds that offer it (for `--format` choices and the Export menu)."""
    formats: dict[str, list[str]] = {}
    for kind in all_kinds():
        for fmt in kind.export_formats:
            formats.setdefault(fmt, []).append(kind.name)
    return {f: tuple(k) for f, k in sorted(formats.items())}


def export_option_hints(fmt: str) -> tuple[str, ...]:
    """The options `fmt` reads, as the kinds that offer it describe them (empty: none)."""
    lines: list[str] = []
    for kind in all_kinds():
        lines += [line for line in kind.export_options.get(fmt, ()) if line not in lines]
    return tuple(lines)


def export_uses_frame(fmt: str) -> bool:
    """Whether `fmt` poses the avatar on one clip frame (the `--frame` of `dhstudio export`)."""
    return any(fmt in kind.posed_exports for kind in all_kinds())
