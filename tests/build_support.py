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


def _hours_text(hours: Any) -> str:
    if hours == "always":
        return "always"
    return "; ".join(f"{day} {' '.join(windows)}" for day, windows in hours.items())


def _staffing_text(staffing: dict[str, dict[str, int]]) -> str:
    return "; ".join(
        f"{day} " + " ".join(f"{w}={n}" for w, n in plan.items()) for day, plan in staffing.items()
    )


def tables_of(scenario_path: Path, folder: Path) -> Path:
    """Write a scenario's areas, sites and stops as tables and a spec that builds it back.

    Only for scenarios whose areas have no own demand profile (tables do not carry one).
    """
    import csv

    doc = yaml.safe_load(scenario_path.read_text(encoding="utf-8"))
    with (folder / "areas.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "id",
                "name",
                "population",
                "lat",
                "lon",
                "vulnerable",
                "demand_per_1000_per_year",
                "demand_per_year",
            ]
        )
        for a in doc["areas"]:
            assert "demand_profile" not in a
            out.writerow(
                [
                    a["id"],
                    a.get("name", ""),
                    a["population"],
                    a["location"]["lat"],
                    a["location"]["lon"],
                    a.get("vulnerable", False),
                    a["demand"].get("per_1000_per_year", ""),
                    a["demand"].get("per_year", ""),
                ]
            )
    columns = [
        "id",
        "kind",
        "name",
        "lat",
        "lon",
        "counters",
        "opening_hours",
        "staffing",
        "closing",
        "errands",
        "setup_minutes",
    ]
    stops = []
    with (folder / "sites.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for s in doc.get("sites", []):
            loc = s.get("location", {})
            out.writerow(
                [
                    s["id"],
                    s["kind"],
                    s.get("name", ""),
                    loc.get("lat", ""),
                    loc.get("lon", ""),
                    s["counters"],
                    _hours_text(s["opening_hours"]) if "opening_hours" in s else "",
                    _staffing_text(s["staffing"]) if "staffing" in s else "",
                    s.get("closing", ""),
                    " ".join(s.get("errands", [])),
                    s.get("setup_minutes", ""),
                ]
            )
            stops += [(s["id"], stop) for stop in s.get("schedule", [])]
    build: dict[str, Any] = {"areas": {"file": "areas.csv"}, "sites": {"file": "sites.csv"}}
    if stops:
        with (folder / "stops.csv").open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["site", "area", "days", "hours", "every_weeks", "counters"])
            for site, stop in stops:
                out.writerow(
                    [
                        site,
                        stop["area"],
                        " ".join(stop["days"]),
                        " ".join(stop["hours"]),
                        stop.get("every_weeks", ""),
                        stop.get("counters", ""),
                    ]
                )
        build["stops"] = {"file": "stops.csv"}
    spec = {k: v for k, v in doc.items() if k not in ("areas", "sites")}
    spec["build"] = build
    path = folder / "spec.build.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
