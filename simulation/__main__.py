"""``python -m simulation`` is the same as the ``servicesim`` command."""

import sys

from simulation.cli import main

sys.exit(main())
