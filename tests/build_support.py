"""Helpers for the build tests: a spec with the two-areas scenario's settings, and tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLES

TWO_AREAS = EXAMPLES / "two-areas.yaml"

AREAS_CSV = """id,name,municipality,population,lat,lon,vulnerable
skaggetorp,Skäggetorp,Linköping,10070,58.428,15.592,yes
linkoping-rest,Linköping (rest),Linköping,156603,58.410,15.621,no
"""

SITES_CSV = """id,kind,name,lat,lon,counters,opening_hours,closing
linkoping-city,office,Linköping servicekontor,58.4108,15.6214,4,mon-fri 10:00-16:00; thu 10:00-12:00 13:00-18:00,serve_queue
"""


def settings(**build: Any) -> dict[str, Any]:
    """The two-areas scenario without its areas and sites, with ``build`` set to ``build``."""
    doc = yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))
    del doc["areas"], doc["sites"]
    doc["build"] = build
    return doc


def write(folder: Path, files: dict[str, str], **build: Any) -> Path:
    """Write the tables ``files`` and a spec with ``build`` into ``folder``; return the spec."""
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    spec = folder / "spec.build.yaml"
    spec.write_text(yaml.safe_dump(settings(**build), sort_keys=False), encoding="utf-8")
    return spec


def csv_spec(folder: Path, areas: str = AREAS_CSV, sites: str = SITES_CSV, **extra: Any) -> Path:
    """A spec built from an areas and a sites CSV, demand by the two-areas rates."""
    build: dict[str, Any] = {
        "areas": {"file": "areas.csv"},
        "sites": {"file": "sites.csv"},
        "demand": {"per_1000_per_year": 270, "vulnerable_per_1000_per_year": 500},
    }
    build.update(extra)
    return write(folder, {"areas.csv": areas, "sites.csv": sites}, **build)
