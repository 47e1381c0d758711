"""Frozen entry point of the `dhstudio` command (installers/dhstudio.spec)."""

import multiprocessing
import sys

from studio.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # torch DataLoader workers re-launch this executable
    sys.exit(main())
