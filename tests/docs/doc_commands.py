"""The commands shown in docs/*.md, pulled out of their code blocks, for the doc tests.

A ```console block shows commands as `$ command` lines; in ```bash blocks (scripts such as the
Slurm examples) every line that runs `dhstudio` or `studio.cli.main` counts. Lines ending in a
backslash continue on the next line; `a && b` is two commands.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
SHELL_ARRAY = re.compile(r"^\$\{\w+\[@\]\}$")  # "${RESUME[@]}": expands to zero or more words


@dataclass(frozen=True)
class DocCommand:
    doc: str  # file name, e.g. "user_guide.md"
    line: int  # line of the command in that file
    text: str  # the command as written (continuations joined)

    @property
    def words(self) -> list[str]:
        """The command's words: environment assignments and `srun` dropped, array expansions too."""
        words = [w for w in shlex.split(self.text, comments=True) if not SHELL_ARRAY.match(w)]
        while words and (ENV_ASSIGNMENT.match(words[0]) or words[0] == "srun"):
            words.pop(0)
        return words

    def where(self) -> str:
        return f"docs/{self.doc}:{self.line}: {self.text}"


def code_blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """(language, first line number, lines) of every fenced block."""
    blocks, lang, start, lines = [], None, 0, []
    for n, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if fence and lang is None:
            lang, start, lines = fence.group(1), n + 1, []
        elif line.startswith("```") and lang is not None:
            blocks.append((lang, start, lines))
            lang = None
        elif lang is not None:
            lines.append(line)
    return blocks


def _joined(lines: list[str], first: int) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, each with its first line number."""
    out, buf, at = [], "", first
    for i, line in enumerate(lines):
        if not buf:
            at = first + i
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        out.append((at, buf + line))
        buf = ""
    if buf:
        out.append((at, buf))
    return out


def doc_commands(path: Path) -> list[DocCommand]:
    found = []
    for lang, start, lines in code_blocks(path.read_text(encoding="utf-8")):
        for n, line in _joined(lines, start):
            if lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            elif lang in ("bash", "sh"):
                if line.lstrip().startswith("#") or not re.search(r"\bdhstudio\b|studio\.cli\.main", line):
                    continue
            else:
                continue
            for part in line.split(" && "):
                found.append(DocCommand(path.name, n, part.strip()))
    return found


def dhstudio_argv(cmd: DocCommand) -> list[str] | None:
    """The arguments after `dhstudio` (or after `-m studio.cli.main`), or None for other programs."""
    words = cmd.words
    if words and words[0] == "dhstudio":
        return words[1:]
    if "-m" in words:
        i = words.index("-m")
        if i + 1 < len(words) and words[i + 1] == "studio.cli.main":
            return words[i + 2 :]
    return None


def option_values(argv: list[str], option: str) -> list[str]:
    """Every value given to `option` (`--set a=1 --set b=2` -> ["a=1", "b=2"])."""
    return [argv[i + 1] for i, w in enumerate(argv[:-1]) if w == option]


def image_links(text: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)


def doc_links(text: str) -> list[tuple[str, str]]:
    """(file, anchor) of every link to a Markdown file or anchor; file "" for the same page."""
    out = []
    for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        file, _, anchor = target.partition("#")
        if file == "" or file.endswith(".md"):
            out.append((file, anchor))
    return out


def heading_anchors(text: str) -> set[str]:
    """GitHub's anchors of the page's headings (lower case, punctuation dropped, spaces -> '-')."""
    anchors = set()
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not line.startswith("#"):
            continue
        title = line.lstrip("#").strip().lower()
        anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors
