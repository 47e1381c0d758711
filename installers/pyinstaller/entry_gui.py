"""Frozen entry point of the desktop studio, `dhstudio-gui` (installers/dhstudio.spec)."""

import multiprocessing
import sys

from studio.gui.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # torch DataLoader workers re-launch this executable
    sys.exit(main())
