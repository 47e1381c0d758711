"""Every engine message has a finished Simplified Chinese translation, and none is raised bare.

Was: every `BadInput` of core/ and studio/ (a video without a face, a corrupt file, a missing model)
reached the zh_CN window's dialogs in English. Now each is raised with a `core.jobs.message.Text`
whose template the catalogue translates. This reads the source as text (no import, so it covers
modules that need a GPU or optional packages): each `Text("...")` template must be in
resources/i18n/dhstudio_zh_CN.ts, finished, with the same placeholders (names, conversions and
format specs), and no `BadInput`-family raise may pass a bare literal, f-string or concatenation.
"""

from __future__ import annotations

import ast
import string
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "resources" / "i18n" / "dhstudio_zh_CN.ts"
# Left English on purpose, with why (a test that lists them keeps the list honest).
EXEMPT: set[str] = set()


def _sources() -> list[Path]:
    return sorted(p for d in ("core", "studio") for p in (ROOT / d).rglob("*.py"))


def _catalogue() -> dict[str, tuple[str, str]]:
    """source -> (translation, its type attribute: '' when finished)."""
    out = {}
    for m in ET.parse(CATALOGUE).iter("message"):
        t = m.find("translation")
        out[m.findtext("source")] = (t.text or "", t.get("type", ""))
    return out


def _templates() -> dict[str, str]:
    """Every `Text("...")` template literal -> where it is first used."""
    out: dict[str, str] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Text"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                out.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def _fields(text: str) -> set[tuple[str, str | None, str]]:
    return {(f, c, s) for _, f, s, c in string.Formatter().parse(text) if f is not None}


def _words(text: str) -> str:
    """The text outside the placeholders."""
    return "".join(literal for literal, *_ in string.Formatter().parse(text))


def _bad_input_family() -> set[str]:
    """BadInput and every class of core/ and studio/ derived from it (ConfigError, ProjectError...)."""
    bases: dict[str, set[str]] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                bases.setdefault(node.name, set()).update(names)
    family = {"BadInput"}
    while True:
        more = {name for name, b in bases.items() if b & family} - family
        if not more:
            return family
        family |= more


def _has_literal_text(node: ast.AST) -> bool:
    """A message written in place: a string literal, an f-string, or a concatenation holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _has_literal_text(node.left) or _has_literal_text(node.right)
    return False


def test_the_source_has_the_engine_messages_this_test_expects():
    """A walker that found nothing would pass everything below."""
    templates = _templates()
    assert len(templates) > 300
    assert "Video file not found: {path}. Check the path (and that the drive is mounted)." in templates
    assert {"BadInput", "ConfigError", "ProjectError", "DamagedRun", "InUse"} <= _bad_input_family()


def test_every_engine_message_template_has_a_finished_chinese_translation_with_the_same_placeholders():
    catalogue = _catalogue()
    problems = []
    for template, where in _templates().items():
        translation, kind = catalogue.get(template, ("", "missing"))
        if kind or not translation:
            problems.append(f"{where}: {template!r} is {kind or 'untranslated'} in {CATALOGUE.name}")
        elif _fields(translation) != _fields(template):
            problems.append(f"{where}: {template!r} -> {translation!r}: placeholders differ")
        elif translation == template and any(c.isalpha() for c in _words(template)):
            problems.append(f"{where}: {template!r} is 'translated' as itself")
    assert not problems, "\n".join(problems)


def test_no_bad_input_is_raised_with_a_bare_english_message():
    family = _bad_input_family()
    bare = []
    for path in _sources():
        rel = str(path.relative_to(ROOT))
        if rel in EXEMPT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in family and _has_literal_text(node.args[0]):
                bare.append(f"{rel}:{node.lineno}: {name}({ast.unparse(node.args[0])[:70]}...)")
    assert not bare, "wrap the message in core.jobs.message.Text(template, **params):\n" + "\n".join(bare)


def test_each_exempt_file_exists_and_still_needs_its_exemption():
    """Once a file is converted (or gone), its exemption must go too."""
    family = _bad_input_family()
    for rel in sorted(EXEMPT):
        path = ROOT / rel
        assert path.is_file(), f"{rel} is gone: remove it from EXEMPT"
        bare = [
            n
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Call)
            and n.args
            and (n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")) in family
            and _has_literal_text(n.args[0])
        ]
        assert bare, f"{rel} raises no bare message any more: remove it from EXEMPT"
