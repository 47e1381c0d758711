"""`python -m studio` opens the GUI."""

import sys

from core.compute.threads import apply_process_policy

apply_process_policy()  # first: OpenMP reads its environment once, when torch loads

from studio.gui.app import main  # noqa: E402

sys.exit(main())
