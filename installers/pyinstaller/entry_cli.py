"""Frozen entry point of the `dhstudio` command (installers/dhstudio.spec).

Frozen, `sys.executable` is this program, not a Python interpreter. The export checks run a
snippet in a fresh interpreter with `sys.executable -I -c CODE` (core/export/isolated.py), so this
program also answers `-I -c CODE` / `-c CODE` as `python` would, with the studio's own packages
hidden as `-I` hides them from a source checkout: an exported model must load without them.
"""

import multiprocessing
import sys

PROJECT_PACKAGES = ("core", "studio", "ui", "resources")


class _HideProject:
    """A meta-path finder that makes the studio's packages unimportable (the frozen importer has them)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in PROJECT_PACKAGES:
            raise ModuleNotFoundError(f"No module named {name!r} (hidden in an isolated run)", name=name)
        return None


def python_c(argv: list[str]) -> int | None:
    """Run `[-I] -c CODE [ARGS...]` as `python` does; None when argv is not that form."""
    args = argv[1:]
    if args[:1] == ["-I"]:
        args = args[1:]
    if len(args) < 2 or args[0] != "-c":
        return None
    sys.argv = ["-c", *args[2:]]
    sys.meta_path.insert(0, _HideProject())
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(args[1], "<string>", "exec"), namespace)  # what `python -c` runs: the caller's code
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    multiprocessing.freeze_support()  # torch DataLoader workers re-launch this executable
    isolated = python_c(sys.argv) if getattr(sys, "frozen", False) else None
    if isolated is not None:
        sys.exit(isolated)
    from studio.cli.main import main

    sys.exit(main())
