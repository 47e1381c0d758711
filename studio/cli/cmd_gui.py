"""`dhstudio gui [PROJECT]`: open the desktop studio."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop studio")
    p.add_argument("project", nargs="?", help="project folder to open")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.gui.app import main

    return main([args.project] if args.project else [])
