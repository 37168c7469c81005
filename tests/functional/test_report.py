"""Reports of small real run and sweep folders: content, escaping and byte-identical output."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import simulation
from simulation.report.build import build_report
from simulation.report.findings import _effect as effect
from simulation.report.findings import sweep_findings
from simulation.results.layout import FIGURE_NAMES, ROBUST_FIGURE_NAMES
from simulation.results.read import load_results
from simulation.results.run_folder import write_run
from simulation.results.sweep_folder import run_sweep

EVIL = "<script>alert(1)</script> & Co"

SCENARIO = {
    "name": "report-fixture",
    "description": "Tiny scenario for *report* tests | with <b>markup</b>",
    "calendar": {"start": "2023-01-02", "days": 14, "warmup_days": 2},
    "seed": 7,
    "errands": [
        {"id": "any", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 12}}
    ],
    "areas": [
        {
            "id": "north",
            "name": EVIL,
            "population": 2000,
            "vulnerable": True,
            "location": {"lat": 58.43, "lon": 15.59},
            "demand": {"per_1000_per_year": 400},
        },
        {
            "id": "south",
            "name": "Åbylund Öst",
            "population": 6000,
            "location": {"lat": 58.40, "lon": 15.62},
            "demand": {"per_1000_per_year": 300},
        },
    ],
    "sites": [
        {
            "id": "city",
            "kind": "office",
            "name": "Linköping servicekontor",
            "counters": 1,
            "location": {"lat": 58.41, "lon": 15.62},
            "opening_hours": {"mon-fri": ["10:00-15:00"]},
        },
    ],
    "behaviour": {
        "patience_minutes": {"dist": "exponential", "mean": 30},
        "decay": {"form": "exponential", "scale": 20},
    },
}
BUS = {
    "id": "bus",
    "kind": "mobile",
    "name": "Mobilt servicekontor",
    "counters": 1,
    "setup_minutes": 30,
    "schedule": [{"area": "north", "days": ["tue", "thu"], "hours": ["10:00-14:00"]}],
}


def _two_builds(folder: Path) -> tuple[Path, Path]:
    """Copy a result folder twice and build a report in each copy."""
    a, b = folder.parent / f"{folder.name}-a", folder.parent / f"{folder.name}-b"
    shutil.copytree(folder, a)
    shutil.copytree(folder, b)
    build_report(a)
    build_report(b)
    return a, b


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    scenario = {**SCENARIO, "sites": [*SCENARIO["sites"], BUS]}
    result = simulation.run(scenario, replications=2)
    folder = write_run(result, tmp_path_factory.mktemp("run") / "run")
    assert build_report(folder) == folder / "report.html"
    return folder


@pytest.fixture(scope="module")
def sweep_folders(tmp_path_factory) -> tuple[Path, Path]:
    sweep = {
        "name": "report-sweep",
        "scenario": SCENARIO,
        "seed": 3,
        "replications": 3,
        "baseline": "today",
        "kpis": ["unserved_per_1000_yr@group:vulnerable", "wait_mean", "staff_hours_per_week"],
        "designs": {
            "today": {},
            "bus": {"add": {"sites": [BUS]}},
            "bigger": {"set": {"sites.city.counters": 2}},
        },
        "factors": {"behaviour.delay_minutes_per_day": [15, 30]},
    }
    folder = tmp_path_factory.mktemp("sweep") / "sweep"
    run_sweep(sweep, workers=1, out=folder, progress=False)
    return _two_builds(folder)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _figures(folder: Path) -> list[str]:
    return sorted(p.stem for p in (folder / "figures").glob("*.png"))


def test_run_report_lists_every_figure_and_table_and_escapes_user_text(run_folder):
    """One test (one run, one build) so that parallel test workers build it only once."""
    folder = run_folder
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    names = _figures(folder)
    assert set(names) == {"map", "waits", "unserved", "queues", "schedule"}
    assert sorted(p.stem for p in (folder / "figures").glob("*.svg")) == names
    for name in names:
        assert f"](figures/{name}.png)" in md
    assert page.count("<figure") == len(names) == page.count('src="data:image/png;base64,')
    assert len(re.findall(r"^### Figure \d+\. ", md, flags=re.M)) == len(names)
    for heading in ("Key findings", "KPIs by scope", "Scenario parameters", "Provenance"):
        assert f"## {heading}" in md or f"### {heading}" in md
        assert f">{heading}</h" in page
    for caption in (
        "Calendar",
        "Errands",
        "Areas",
        "Sites",
        "Travel",
        "Behaviour",
        "From manifest.json",
    ):
        assert f"*{caption}*" in md
        assert f"<caption>{caption}</caption>" in page
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["git_commit"] is None or manifest["git_commit"] in md
    assert "were served" in md and "Mobile units served" in md

    # text from user files is escaped (an area is named EVIL, the description has markup)
    assert html.escape(EVIL) in page
    assert "<script>" not in page and "<b>markup</b>" not in page
    assert "&lt;b&gt;markup&lt;/b&gt;" in page
    assert r"\<script\>alert(1)\</script\> \& Co" in md
    assert "<script>" not in md
    assert r"\*report\* tests \| with \<b\>markup\</b\>" in md
    assert "Åbylund Öst" in md and "Åbylund Öst" in page


def test_sweep_report(sweep_folders):
    """One test (one sweep, two builds) so that parallel test workers build it only once."""
    folder, copy = sweep_folders
    # every figure and table is listed
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    names = _figures(folder)
    assert set(names) == set(FIGURE_NAMES) - set(ROBUST_FIGURE_NAMES) - {
        "returns"
    }  # no uncertain: block, no returns
    for name in names:
        assert f"](figures/{name}.png)" in md
    assert page.count("<figure") == len(names)
    for heading in ("Comparison with the baseline", "KPIs by design", "Designs compared"):
        assert heading in md and heading in page
    assert "**bus**" in md and "**bigger**" in md and "baseline **today**" in md

    # the findings agree with comparison.csv
    res = load_results(folder)
    comparison = pd.read_csv(folder / "comparison.csv")
    first = comparison[comparison["level"] == res.levels[0]]
    text = "\n".join("".join(t for _, t in item) for item in sweep_findings(res))
    for row in first[first["kpi"] == "unserved_per_1000_yr@group:vulnerable"].itertuples():
        words = "".join(t for _, t in effect(row._asdict()))
        assert f"Design {row.design} {words} against today" in text
        if row.verdict == "no clear difference":
            assert words.startswith(("shows no clear difference", "does not change"))
        elif row.verdict in ("better", "worse"):
            pct = abs(row.diff_mean / row.baseline_mean) * 100
            assert f"by {pct:.0f}%" in words
    assert "Best for vulnerable areas" in text or "No design is clearly better" in text

    # building again into a copy of the folder gives byte-identical files
    files_a, files_b = _files(folder), _files(copy)
    assert files_a.keys() == files_b.keys()
    for name in files_a:
        assert files_a[name] == files_b[name], name
    expected = {"report.md", "report.html"} | {
        f"figures/{n}.{x}"
        for n in FIGURE_NAMES
        if n not in ROBUST_FIGURE_NAMES and n != "returns"
        for x in ("png", "svg")
    }
    assert expected <= files_a.keys()


def test_unknown_folder_kind_is_rejected(tmp_path):
    (tmp_path / "manifest.json").write_text(
        '{"package": "servicesim", "kind": "other"}', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="unknown kind 'other'"):
        build_report(tmp_path)
