"""Helpers for the loading tests: a fresh two-areas document, writing it, and the
ScenarioError that loading raises.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario
from tests.conftest import EXAMPLES

TWO_AREAS = EXAMPLES / "two-areas.yaml"
THEORY = EXAMPLES / "theory-mmc.yaml"


def base() -> dict[str, Any]:
    """A fresh copy of the two-areas contract document."""
    return yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))


def write(tmp_path: Path, doc: Any, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def error_of(source: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    return info.value


def file_error(tmp_path: Path, doc: Any) -> tuple[Path, ScenarioError]:
    path = write(tmp_path, doc)
    err = error_of(path)
    assert err.source == str(path)
    assert str(err).startswith(f"{path}: ")
    return path, err
