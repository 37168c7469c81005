"""Command-line tests: ``simulation.cli.main`` and subprocesses, exit status and terminal text."""
