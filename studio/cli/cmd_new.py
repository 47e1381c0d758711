"""`dhstudio new DIR`: create an empty project folder."""

from __future__ import annotations

import argparse

from studio.project import create_project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project folder")
    p.add_argument("dir", help="folder to create (must be new or empty)")
    p.add_argument("--name", help="project name (default: the folder name)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    project = create_project(args.dir, args.name)
    print(f"created project '{project.name}' in {project.root}")
    return 0
