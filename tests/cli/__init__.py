"""Command-line tests: ``simulation.cli.main.main`` and subprocesses, exit status and terminal text."""
