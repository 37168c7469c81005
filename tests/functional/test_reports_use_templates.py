"""Every report goes through the templates of :mod:`simulation.report.rendering` (issue 13, item 6).

Covers the fault that run/sweep reports and the propose report each had hand-written writers
(``report.to_markdown``/``to_html``, ``propose/output.py``'s own Markdown), with the propose
report not escaping user text at all: with changed templates, the run, sweep and propose
reports all change.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from simulation.report import rendering

DATA = Path(__file__).parents[1] / "data"
NASTY = "<script>alert(1)</script> a|b *c* $5"
MARK = "rendered-by-a-changed-template"


@pytest.fixture
def marked_templates(monkeypatch) -> None:
    """Report templates that add MARK at the end of the Markdown and of the HTML body."""
    base = rendering.environment()
    loader = base.loader
    assert loader is not None
    md = loader.get_source(base, rendering.MARKDOWN_TEMPLATE)[0] + f"\n{MARK}\n"
    page = loader.get_source(base, rendering.HTML_TEMPLATE)[0].replace(
        "</body>", f"<p>{MARK}</p>\n</body>"
    )
    env = base.overlay(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.DictLoader({rendering.MARKDOWN_TEMPLATE: md, rendering.HTML_TEMPLATE: page}),
                loader,
            ]
        )
    )
    monkeypatch.setattr(rendering, "environment", lambda: env)


def _servicesim(*args: str | Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "simulation", *map(str, args)], check=True, capture_output=True
    )


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_run_and_sweep_reports_come_from_the_templates(kind, tmp_path, marked_templates):
    from simulation.report.build import build_report

    folder = tmp_path / kind
    if kind == "run":
        _servicesim("run", DATA / "tiny-base.yaml", "-r", "2", "--out", folder, "--no-report")
    else:
        _servicesim(
            "sweep",
            DATA / "tiny.sweep.yaml",
            "-r",
            "2",
            "--workers",
            "1",
            "--out",
            folder,
            "--no-report",
        )
    build_report(folder)
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert md.startswith("# Simulation report: ") and md.endswith(f"{MARK}\n")
    assert f"<p>{MARK}</p>\n</body>" in page


def _region() -> dict[str, Any]:
    area = {"vulnerable": True, "demand": {"per_1000_per_year": 400}}
    return {
        "name": "synthetic",
        "calendar": {"start": "2023-01-02", "days": 7},
        "seed": 11,
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 10}}
        ],
        "areas": [
            {"id": "far", "population": 20000, "location": {"lat": 58.10, "lon": 16.0}, **area},
            {"id": "near", "population": 2000, "location": {"lat": 58.004, "lon": 16.0}, **area},
        ],
        "sites": [
            {
                "id": "office",
                "kind": "office",
                "location": {"lat": 58.0, "lon": 16.0},
                "counters": 3,
                "opening_hours": {"mon-fri": ["10:00-16:00"]},
            }
        ],
        "travel": {"speed_kmh": 20, "detour_factor": 1.3, "within_area_minutes": 5},
    }


def test_propose_report_comes_from_the_templates_and_escapes_its_description(
    tmp_path, marked_templates
):
    # fault: propose.md was written by hand and put the spec's description in raw
    from simulation.propose import propose

    (tmp_path / "region.yaml").write_text(yaml.safe_dump(_region()), encoding="utf-8")
    spec = {
        "base": "region.yaml",
        "description": NASTY,
        "units": [{"id": "van", "counters": 1, "setup_minutes": 30}],
        "budget": {
            "unit_days_per_week": 1,
            "hours_per_day": 4,
            "weekdays": ["mon"],
            "windows": ["10:00-14:00"],
        },
        "search": {"replications": 2},
        "selection": {"indifference": 20, "initial": 3, "max_replications": 3, "confirmation": 0},
        "seed": 5,
    }
    path = tmp_path / "tiny.propose.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    propose(path, workers=1, out=tmp_path / "out")
    md = (tmp_path / "out" / "propose.md").read_text(encoding="utf-8")
    assert md.startswith("# Proposal: ") and md.endswith(f"{MARK}\n")
    assert r"\<script\>alert(1)\</script\> a\|b \*c\* \$5" in md and "<script>" not in md
    for heading in (
        "## Verdict",
        "## Proposed timetable",
        "## Comparison",
        "## Method",
        "## Reproduce",
    ):
        assert f"\n{heading}\n" in md
    assert "\n1. **Screening** " in md and "\n2. **Search** " in md and "\n3. **Selection** " in md
