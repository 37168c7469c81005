"""Functional tests: whole runs, sweeps, proposals and reports through the public API."""
