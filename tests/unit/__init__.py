"""Unit tests: one module or function at a time, on small hand-made inputs."""
