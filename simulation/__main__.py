"""``python -m simulation`` is the same as the ``servicesim`` command."""

from simulation.cli.main import console

console()
