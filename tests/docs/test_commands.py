"""Every command in docs/*.md is checked against the real thing, so the docs cannot drift.

- `dhstudio ...` (and `torchrun ... -m studio.cli.main ...`) parses with the real argparse parser;
  a training job named there validates with its `--set` overrides against the kind's config
  model; an ablation suite loads with its `--only` names.
- The cheap ones run for real (RUNS below), in a scratch folder, exactly as written.
- The installer scripts shown exist and accept the options shown; `pip install` extras exist.
- Every image and every link to a page or a heading of docs/ exists.
A command of a program this test does not know fails it: teach the test how to check it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from core.config.loader import apply_overrides, read_toml, validate
from core.gaussians.train.ablation import load_suite
from core.kinds.registry import avatar_kind
from studio.cli.main import build_parser, main
from tests.docs.doc_commands import (
    DocCommand,
    dhstudio_argv,
    doc_commands,
    doc_links,
    heading_anchors,
    image_links,
    option_values,
)

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted((REPO / "docs").glob("*.md"))
COMMANDS = [c for doc in DOCS for c in doc_commands(doc)]
STUDIO = [c for c in COMMANDS if dhstudio_argv(c) is not None]
OTHERS = [c for c in COMMANDS if dhstudio_argv(c) is None]

# Shown in the docs and run here for real, as written (cwd: an empty scratch folder).
RUNS = {
    "dhstudio --version": r"^dhstudio \d+\.\d+",
    "dhstudio new MyAvatar": r"MyAvatar",
    "dhstudio doctor": r"PyTorch .*ok",
    "dhstudio demo --stages 1 --out demo-project": r"demo clip: .*demo\.mp4",
    "dhstudio live --list-devices": r"input|device",
    'dhstudio ablate-merge ablation-a ablation-b --out ablation --title "single, two machines"': (
        r"# Ablation: single, two machines"
    ),
}


def _id(c: DocCommand) -> str:
    return f"{c.doc}:{c.line}"


def test_the_docs_show_commands_of_every_kind():
    assert len(STUDIO) > 40 and {c.doc for c in STUDIO} >= {
        "user_guide.md",
        "installing.md",
        "weights.md",
        "troubleshooting.md",
        "scaling_out.md",
    }
    shown = {c.text for c in STUDIO}
    missing = [r for r in RUNS if r not in shown]
    assert not missing, f"commands this test runs are no longer in the docs: {missing}"


@pytest.mark.parametrize("cmd", STUDIO, ids=_id)
def test_studio_command_parses(cmd: DocCommand):
    argv = dhstudio_argv(cmd)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        if argv == ["--version"] and exc.code == 0:
            return
        pytest.fail(f"does not parse (exit {exc.code}): {cmd.where()}")
    assert getattr(args, "func", None) is not None, cmd.where()


@pytest.mark.parametrize("cmd", [c for c in STUDIO if dhstudio_argv(c)[:1] == ["train"]], ids=_id)
def test_training_job_validates_with_its_overrides(cmd: DocCommand):
    argv = dhstudio_argv(cmd)
    job = argv[1]
    if "$" in job:  # a shell variable (the Slurm array): the listed job names are checked below
        return
    raw = apply_overrides(read_toml(REPO / job), option_values(argv, "--set"))
    model = avatar_kind(str(raw.get("kind")), job).config_model
    validate(model, raw, f"{cmd.where()} -> {job}")  # ConfigError names the field


def test_slurm_array_names_existing_jobs():
    text = (REPO / "docs" / "scaling_out.md").read_text(encoding="utf-8")
    array = re.search(r"JOBS=\(([^)]*)\)", text)
    assert array, "the Slurm array example lost its JOBS list"
    names = array.group(1).split()
    assert len(names) == 10 and all((REPO / "training_jobs" / f"{n}.toml").is_file() for n in names), names


@pytest.mark.parametrize("cmd", [c for c in STUDIO if dhstudio_argv(c)[:1] == ["ablate"]], ids=_id)
def test_ablation_suite_loads_with_its_options(cmd: DocCommand):
    argv = dhstudio_argv(cmd)
    steps = option_values(argv, "--max-steps")
    _suite, entries = load_suite(
        REPO / argv[1],
        option_values(argv, "--set"),
        int(steps[0]) if steps else None,
        option_values(argv, "--only") or None,
    )
    assert entries


@pytest.mark.parametrize("cmd", COMMANDS, ids=_id)
def test_named_repository_files_exist(cmd: DocCommand):
    for word in cmd.words:
        if "$" in word:
            continue
        for path in re.findall(r"(?:training_jobs|installers)/[\w./-]+", word):
            assert (REPO / path).exists(), f"{path} does not exist: {cmd.where()}"


def _check_script_options(script: Path, options: list[str], cmd: DocCommand) -> None:
    text = script.read_text(encoding="utf-8")
    for opt in options:
        if script.suffix == ".ps1":
            declared = re.search(rf"\${opt[1:]}\b", text, re.IGNORECASE)
        else:
            declared = re.search(rf"^\s*{re.escape(opt)}\)", text, re.MULTILINE)
        assert declared, f"{script.name} does not take {opt}: {cmd.where()}"


@pytest.mark.parametrize("cmd", OTHERS, ids=_id)
def test_other_command_is_known_and_consistent(cmd: DocCommand):
    words = cmd.words
    program = words[0]
    if program == "bash":
        script = REPO / words[1]
        assert script.is_file(), cmd.where()
        _check_script_options(script, [w for w in words[2:] if w.startswith("--")], cmd)
    elif program == "powershell":
        script = REPO / words[words.index("-File") + 1]
        assert script.is_file(), cmd.where()
        after = words[words.index("-File") + 2 :]
        _check_script_options(script, [w for w in after if w.startswith("-")], cmd)
    elif program == "pip":
        extras = re.findall(r"\.\[(\w+)\]", " ".join(words))
        declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
        assert all(e in declared for e in extras), cmd.where()
        assert not any(w in ("torch", "torch>=2.4") for w in words), f"torch must be pinned: {cmd.where()}"
    elif program == "dist/dhstudio/install.sh":  # the build copies installers/linux/install.sh there
        assert (REPO / "installers" / "linux" / "install.sh").is_file()
    elif program in ("python3", "."):  # making and entering a virtual environment
        assert words[:3] == ["python3", "-m", "venv"] or words[1].endswith("/bin/activate"), cmd.where()
    else:
        pytest.fail(f"the docs show a command this test does not know how to check: {cmd.where()}")


SLOW_RUNS = {"dhstudio demo --stages 1 --out demo-project"}  # renders and encodes the synthetic clip


@pytest.mark.parametrize(
    "text",
    [pytest.param(t, marks=[pytest.mark.slow] if t in SLOW_RUNS else []) for t in RUNS],
    ids=lambda t: t.split(" --")[0],
)
def test_cheap_command_runs_as_written(text, tmp_path, monkeypatch, capsys):
    cmd = next(c for c in STUDIO if c.text == text)
    monkeypatch.chdir(tmp_path)
    if "ablate-merge" in text:  # the two machines' outputs the command merges
        from tests.core.gaussians.train.ablation_runs import config, train_run

        train_run(tmp_path / "ablation-a" / "runs" / "baseline", config())
        train_run(
            tmp_path / "ablation-b" / "runs" / "progressive",
            config(innovations={"progressive": {"enabled": True}}),
        )
    try:
        code = main(dhstudio_argv(cmd))
    except SystemExit as exc:  # --version exits through argparse
        code = exc.code
    out = capsys.readouterr()
    assert code == 0, f"{cmd.where()} exited {code}: {out.err[-2000:]}"
    assert re.search(RUNS[text], out.out, re.MULTILINE), f"{cmd.where()} printed: {out.out[-2000:]}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_images_and_links_exist(doc: Path):
    text = doc.read_text(encoding="utf-8")
    for image in image_links(text):
        assert (doc.parent / image).is_file(), f"{doc.name}: missing image {image}"
    for file, anchor in doc_links(text):
        target = doc if file == "" else doc.parent / file
        assert target.is_file(), f"{doc.name}: link to missing page {file}"
        if anchor:
            assert anchor in heading_anchors(target.read_text(encoding="utf-8")), (
                f"{doc.name}: link to missing heading {file}#{anchor}"
            )
