"""Text in figures (issue 12, rule 5): names with `$`, `\\`, `^` or `_` are drawn literally
instead of crashing matplotlib's mathtext and leaving no report."""

from __future__ import annotations

import pytest
from matplotlib.text import Text

from simulation.report.plots import design_maps, forest_plot, schedule_timeline
from simulation.report.plots.style import literal
from tests.faults.h3_inputs import run_cli, tiny, write_yaml

NASTY = [
    "Norr $x^$",
    "a$b$c",
    "lone $ sign",
    r"back\slash_and^caret",
    r"$\frac{1}{$",
    r"esc \$ $y$",
]


@pytest.mark.parametrize("text", NASTY + ["plain name", "Linköping city"])
def test_literal_text_is_drawn_as_written(text):
    # covers: user strings went to matplotlib unescaped and were parsed as mathtext
    shown, math = Text(text=literal(text))._preprocess_math(literal(text))
    assert math is False
    assert shown == text


def test_literal_leaves_text_without_dollars_unchanged():
    # covers: figures of ordinary names must stay byte-identical
    for text in ("plain name", "Linköping city", r"back\slash_and^caret"):
        assert literal(text) == text


def nasty_scenario() -> dict:
    doc = tiny(name="nasty")
    doc["areas"][0]["name"] = "Norr $x^$"
    doc["areas"][1]["name"] = r"Söder $\frac{1}{$ _^"
    doc["sites"][0]["name"] = "City $$ office_1 $a_"
    doc["sites"].append(
        {
            "id": "bus",
            "kind": "mobile",
            "name": "Bus $\\alpha$",
            "counters": 1,
            "schedule": [
                {"area": "north", "name": "Stop $^$", "days": ["tue"], "hours": ["10:00-14:00"]}
            ],
        }
    )
    return doc


def test_run_report_with_mathtext_names_is_written(tmp_path, capsys):
    # covers: an area name with $...$ crashed the figures (ParseSyntaxException) and left no report
    path = write_yaml(tmp_path / "nasty.yaml", nasty_scenario())
    out = tmp_path / "out"
    rc = run_cli(capsys, "run", path, "-r", "1", "--out", out)[0]
    assert rc == 0
    assert (out / "report.html").exists()
    assert {"map.png", "unserved.png", "queues.png", "schedule.png"} <= {
        p.name for p in (out / "figures").iterdir()
    }
    svg = (out / "figures" / "map.svg").read_text(encoding="utf-8")
    assert "<!-- Norr $x^$ -->" in svg  # drawn as written (the SVG notes each text)


def test_figure_functions_accept_mathtext_names_in_every_label():
    # covers: design, level and baseline names reach titles, tick labels and legends
    import pandas as pd

    scenario = {
        **nasty_scenario(),
        "calendar": {"start": "2023-01-02", "days": 14, "warmup_days": 0},
    }
    fig = design_maps({"$a$": scenario, "b$": scenario}, title="Title $\\bad$")
    fig.canvas.draw()
    fig = schedule_timeline({"$x^$": scenario}, title="$_$")
    fig.canvas.draw()
    comparison = pd.DataFrame(
        [
            {
                "design": "d",
                "level": "name=$a$",
                "kpi": "wait_mean",
                "baseline": "$base^$",
                "diff_mean": 1.0,
                "ci_low": 0.5,
                "ci_high": 1.5,
                "relative_diff": 0.1,
                "verdict": "worse",
                "interval_level": 0.95,
                "correction": "none",
            },
            {
                "design": "d",
                "level": "name=$b^$",
                "kpi": "wait_mean",
                "baseline": "$base^$",
                "diff_mean": 1.0,
                "ci_low": 0.5,
                "ci_high": 1.5,
                "relative_diff": 0.1,
                "verdict": "worse",
                "interval_level": 0.95,
                "correction": "none",
            },
        ]
    )
    fig = forest_plot(comparison)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [literal("d\nname=$a$"), literal("d\nname=$b^$")]


def test_sweep_report_with_mathtext_level_names_is_written(tmp_path, capsys):
    # covers: factor levels become figure titles and tick labels; `$...$` in them crashed the report
    doc = {
        "name": "levels",
        "scenario": nasty_scenario(),
        "seed": 3,
        "replications": 2,
        "kpis": ["wait_mean", "staff_hours_per_week"],
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "factors": {"areas.north.name": ["$a$", "b^$c_$"]},
    }
    path = write_yaml(tmp_path / "levels.sweep.yaml", doc)
    out = tmp_path / "out"
    rc = run_cli(capsys, "sweep", path, "--out", out, "-w", "1")[0]
    assert rc == 0
    assert (out / "report.html").exists()
    assert {"comparison.png", "costs.png", "map.png"} <= {
        p.name for p in (out / "figures").iterdir()
    }
