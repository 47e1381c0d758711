"""`python -m studio` opens the GUI."""

import sys

from studio.gui.app import main

sys.exit(main())
