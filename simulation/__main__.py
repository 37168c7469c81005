"""``python -m simulation`` is the same as the ``servicesim`` command."""

import sys

from simulation.cli.main import main

sys.exit(main())
