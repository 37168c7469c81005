"""Which YAML document a command was given: the embedded default, and a file's kind."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from simulation.scenario.documents import file_kind


def default_sweep_path() -> Path:
    """The embedded default: the pilot comparison sweep (packaged with the wheel)."""
    return Path(str(resources.files("simulation") / "data" / "default" / "pilot.sweep.yaml"))


def is_sweep_file(path: Path) -> bool:
    """Whether the YAML file at ``path`` is a sweep file (``run`` then runs it as ``sweep``)."""
    from simulation.scenario.yaml_io import read_yaml

    return file_kind(read_yaml(path)) == "sweep"
