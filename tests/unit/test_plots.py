"""Figures: each renders from small hand-made tables and holds the expected artists."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from simulation.report.plots import (
    cost_benefit,
    design_maps,
    forest_plot,
    save_figure,
    scenario_map,
    schedule_timeline,
    site_heatmaps,
    unserved_bars,
    wait_ecdf,
    week_grid,
)
from simulation.report.plots.style import OKABE_ITO, REASONS, STYLE, kpi_label
from simulation.report.plots.tables import stop_windows, unserved_by_reason
from simulation.scenario.loading import load_scenario

BASE = {
    "name": "plots-fixture",
    "calendar": {"start": "2023-01-02", "days": 14, "warmup_days": 0},
    "errands": [
        {"id": "any", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 12}}
    ],
    "areas": [
        {
            "id": "north",
            "name": "Skäggetorp",
            "population": 2000,
            "vulnerable": True,
            "location": {"lat": 58.43, "lon": 15.59},
            "demand": {"per_hour": 2},
        },
        {
            "id": "south",
            "name": "Åbylund Öst",
            "population": 3000,
            "location": {"lat": 58.40, "lon": 15.62},
            "demand": {"per_hour": 2},
        },
        {
            "id": "east",
            "population": 1000,
            "vulnerable": True,
            "location": {"lat": 58.41, "lon": 15.66},
            "demand": {"per_hour": 1},
        },
    ],
    "sites": [
        {
            "id": "city",
            "kind": "office",
            "name": "Linköping servicekontor",
            "counters": 2,
            "location": {"lat": 58.41, "lon": 15.62},
            "opening_hours": {"mon-fri": ["10:00-16:00"]},
        },
    ],
}
MOBILE = {
    "id": "bus",
    "kind": "mobile",
    "name": "Mobilt servicekontor",
    "counters": 1,
    "setup_minutes": 30,
    "schedule": [
        {"area": "north", "days": ["mon", "wed"], "hours": ["10:00-14:00"]},
        {"area": "east", "days": ["tue"], "hours": ["09:00-11:00", "12:00-15:00"]},
    ],
}


def resolved(document: dict) -> dict:
    """The scenario as written to a result folder (defaults filled in)."""
    return load_scenario(document).to_dict()


@pytest.fixture(scope="module")
def scenarios() -> dict[str, dict]:
    mobile = {**BASE, "name": "plots-fixture-mobile", "sites": [*BASE["sites"], MOBILE]}
    return {"today": resolved(BASE), "bus": resolved(mobile)}


def kpi_table(design_factor: float) -> pd.DataFrame:
    """Two replications of area, overall and stop KPIs (long form)."""
    rows = []
    for r in (0, 1):
        for a, area in enumerate(("north", "south", "east")):
            for k, reason in enumerate(REASONS):
                rows.append(
                    (
                        r,
                        "area",
                        area,
                        f"unserved_{reason}",
                        float((a + 1) * (k + 1) * design_factor + r),
                    )
                )
            rows.append((r, "area", area, "unserved_per_1000_yr", 10.0 * (a + 1) * design_factor))
        rows.append((r, "stop", "bus@north", "served", 40.0 + r))
        rows.append((r, "stop", "bus@north", "utilisation", 0.5))
        rows.append((r, "stop", "bus@east", "served", 10.0))
        rows.append((r, "stop", "bus@east", "utilisation", 0.25))
    return pd.DataFrame(rows, columns=["replication", "scope", "id", "kpi", "value"])


def visit_table(shift: float, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    outcome = np.where(np.arange(n) % 10 == 0, "reneged", "served")
    return pd.DataFrame(
        {
            "outcome": pd.Categorical(outcome, categories=["served", "reneged"]),
            "wait_min": rng.exponential(8.0, n) + shift,
            "counted": np.arange(n) % 7 != 0,
        }
    )


def site_hour_table() -> pd.DataFrame:
    rows = [  # replication, site, day, weekday, hour, queue, busy, open
        (0, "city", 0, "mon", 10, 2.0, 1.0, 2.0),
        (0, "city", 7, "mon", 10, 4.0, 2.0, 2.0),
        (1, "city", 7, "mon", 11, 1.0, 1.5, 2.0),
        (0, "city", 5, "sat", 19, 1e-12, 0.0, 0.0),  # round-off, not activity
        (0, "city", 1, "tue", 10, 0.0, 0.0, 2.0),  # open and idle
        (0, "city", 1, "tue", 16, 0.0, 0.5, 0.0),  # overtime after closing
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "replication",
            "site",
            "day",
            "weekday",
            "hour",
            "queue_mean",
            "busy_mean",
            "open_counters",
        ],
    )


def comparison_table() -> pd.DataFrame:
    rows = []
    for design, shift in (("bus", -1.0), ("two-buses", 0.2)):
        for kpi, base in (
            ("unserved_per_1000_yr@group:vulnerable", 100.0),
            ("wait_mean", 5.0),
            ("within_15", 0.8),
        ):
            lo, hi = shift * base * 0.3 - 0.1 * base, shift * base * 0.3 + 0.1 * base
            mean = (lo + hi) / 2
            verdict = "no clear difference" if lo <= 0 <= hi else ("better" if hi < 0 else "worse")
            rows.append(
                {
                    "level": "",
                    "design": design,
                    "baseline": "today",
                    "kpi": kpi,
                    "better": "lower",
                    "n": 5,
                    "baseline_mean": base,
                    "design_mean": base + mean,
                    "diff_mean": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "relative_diff": mean / base,
                    "verdict": verdict,
                    "interval_level": 0.975,
                    "correction": "bonferroni",
                    "comparisons": 2,
                }
            )
    return pd.DataFrame(rows)


def summary_table() -> pd.DataFrame:
    rows = []
    for i, design in enumerate(("today", "bus", "two-buses")):
        for kpi, mean in (
            ("staff_hours_per_week", 60.0 + 20 * i),
            ("unserved_per_1000_yr@group:vulnerable", 90.0 - 10 * i),
            ("wait_mean", 4.0 + i),
        ):
            rows.append(
                {
                    "design": design,
                    "level": "",
                    "kpi": kpi,
                    "n": 5,
                    "mean": mean,
                    "std": 1.0,
                    "ci_low": mean - 2.0,
                    "ci_high": mean + 2.0,
                }
            )
    return pd.DataFrame(rows)


def gid_artists(ax, gid: str, kind: type) -> list:
    return [a for a in ax.get_children() if isinstance(a, kind) and a.get_gid() == gid]


def test_style_uses_okabe_ito_and_a_font_with_swedish_letters():
    from matplotlib import font_manager

    assert STYLE["font.sans-serif"] == ["DejaVu Sans"]
    colours = [c["color"] for c in STYLE["axes.prop_cycle"]]
    assert set(colours) <= set(OKABE_ITO.values())
    font = font_manager.get_font(font_manager.findfont("DejaVu Sans", fallback_to_default=False))
    assert all(font.get_char_index(ord(ch)) for ch in "åäöÅÄÖ◆≈≤÷−")


def test_kpi_labels_have_units():
    assert kpi_label("wait_mean").axis == "mean wait (min)"
    assert (
        kpi_label("unserved_per_1000_yr@group:vulnerable").name
        == "unserved demand in vulnerable areas"
    )
    assert kpi_label("within_15").scale == 100.0


def test_map_has_one_circle_per_area_and_a_square_per_office(scenarios):
    fig = design_maps(
        scenarios,
        {
            "today": {"north": 50.0, "south": 5.0, "east": 20.0},
            "bus": {"north": 20.0, "south": 5.0, "east": 10.0},
        },
    )
    maps = [ax for ax in fig.axes if ax.get_title() in scenarios]
    assert [ax.get_title() for ax in maps] == ["today", "bus"]
    for ax, sc in zip(maps, scenarios.values(), strict=True):
        areas = [
            c
            for c in ax.collections
            if isinstance(c, PathCollection) and str(c.get_gid()).startswith("areas")
        ]
        assert sum(len(c.get_offsets()) for c in areas) == len(sc["areas"]) == 3
        vulnerable = [c for c in areas if c.get_gid() == "areas-vulnerable"]
        assert len(vulnerable[0].get_offsets()) == 2 and vulnerable[0].get_hatch()
        offices = [c for c in ax.collections if c.get_gid() == "offices"]
        assert len(offices[0].get_offsets()) == 1
        assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(58.415)), rel=0.01)
    bus = maps[1]
    stops = [c for c in bus.collections if c.get_gid() == "stops"]
    assert len(stops[0].get_offsets()) == 2
    assert gid_artists(bus, "route", Line2D)  # north → east → north, drawn once
    assert not [c for c in maps[0].collections if c.get_gid() == "stops"]
    legend_texts = [
        t.get_text() for leg in (ax.get_legend() for ax in fig.axes) if leg for t in leg.get_texts()
    ]
    assert "vulnerable area" in legend_texts
    assert any("weekly route" in t for t in legend_texts)
    assert any("Skäggetorp" in t.get_text() for t in maps[0].texts)


def test_single_map_without_shading(scenarios):
    fig = scenario_map(scenarios["bus"])
    assert len(fig.axes) == 2  # the map and its legend (no colour bar)


def test_wait_ecdf_has_one_line_per_design_and_marks_at_15_and_30():
    visits = {"today": visit_table(5.0), "bus": visit_table(0.0), "two-buses": visit_table(1.0)}
    fig = wait_ecdf(visits)
    ax = fig.axes[0]
    lines = gid_artists(ax, "ecdf", Line2D)
    assert len(lines) == 3
    assert [t.get_text().split(" (")[0] for t in ax.get_legend().get_texts()] == [
        "today",
        "bus",
        "two-buses",
    ]
    marks = gid_artists(ax, "mark", Line2D)
    assert sorted(m.get_xdata()[0] for m in marks) == [15.0, 30.0]
    # only served, counted visitors: the line ends at the share 1 and has one step per wait
    v = visits["bus"]
    kept = ((v["outcome"] == "served") & v["counted"]).sum()
    assert len(lines[1].get_xdata()) == kept + 2
    assert "waiting time" in ax.get_xlabel() and "(min)" in ax.get_xlabel()


def test_unserved_bars_stack_reasons_per_area_and_outline_vulnerable(scenarios):
    kpis = {"today": kpi_table(1.0), "bus": kpi_table(0.5)}
    fig = unserved_bars(kpis, scenarios)
    axes = [ax for ax in fig.axes if ax.get_title() in scenarios]
    assert len(axes) == 2
    for ax in axes:
        for reason in REASONS:
            assert len(gid_artists(ax, f"unserved-{reason}", Rectangle)) == 3
        assert len(gid_artists(ax, "vulnerable", Rectangle)) == 2
    # the bars are per 1,000 residents per year: north's no_option in 'today' is mean(1, 2) = 1.5
    # needs in 14 days among 2,000 residents
    rate = unserved_by_reason(kpis["today"], scenarios["today"])
    assert rate.loc["north", "no_option"] == pytest.approx(1.5 / 2000 * 1000 / (14 / 365))
    bars = gid_artists(axes[0], "unserved-no_option", Rectangle)
    assert bars[0].get_width() == pytest.approx(rate.loc["north", "no_option"])
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels[0].startswith("Skäggetorp") and "◆" in labels[0] and "◆" not in labels[1]


def test_forest_plot_has_one_point_per_design_per_kpi():
    comparison = comparison_table()
    fig = forest_plot(comparison)
    panels = [ax for ax in fig.axes if ax.get_visible() and gid_artists(ax, "diff", Line2D)]
    assert len(panels) == 3
    for ax in panels:
        points = gid_artists(ax, "diff", Line2D)
        assert len(points) == 2
        assert gid_artists(ax, "zero", Line2D)[0].get_xdata()[0] == 0.0
    # verdicts are shown by marker and colour
    markers = {p.get_marker() for ax in panels for p in gid_artists(ax, "diff", Line2D)}
    assert len(markers) >= 2
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "better" in legend and "no clear difference" in legend
    # shares are shown in percentage points
    share = next(ax for ax in panels if "15 min" in ax.get_title())
    point = gid_artists(share, "diff", Line2D)[0]
    assert point.get_xdata()[0] == pytest.approx(comparison.iloc[2]["diff_mean"] * 100)


def test_forest_plot_rejects_an_empty_table():
    with pytest.raises(ValueError):
        forest_plot(pd.DataFrame(columns=["design", "level", "kpi"]))


def test_week_grid_averages_over_every_weekday_and_ignores_round_off(scenarios):
    grid = week_grid(site_hour_table(), scenarios["today"], "city")
    assert grid.weekdays == [0, 1]  # Saturday's 1e-12 is round-off, not activity
    assert grid.hours == [10, 11]  # Tuesday 16:00 is closed with nobody waiting
    monday10 = grid.queue[0, 0]
    assert monday10 == pytest.approx((2.0 + 4.0) / (2 * 2))  # two Mondays × two replications
    assert grid.use[0, 0] == pytest.approx(3.0 / 4.0)
    assert grid.use[1, 0] == 0.0 and grid.queue[1, 0] == 0.0
    assert np.isnan(grid.use[1, 1])  # closed


def test_heatmaps_have_two_images_per_site(scenarios):
    table = site_hour_table()
    bus = pd.concat([table, table.assign(site="bus", queue_mean=0.5)], ignore_index=True)
    fig = site_heatmaps({"today": table, "bus": bus}, scenarios)
    images = [im for ax in fig.axes for im in ax.images]
    assert sorted(im.get_gid() for im in images) == ["queue"] * 3 + ["use"] * 3
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == [
        "today: Linköping servicekontor",
        "bus: Linköping servicekontor",
        "bus: Mobilt servicekontor",
    ]


def test_schedule_timeline_draws_one_rectangle_per_stop_window(scenarios):
    kpis = {"bus": kpi_table(1.0)}
    fig = schedule_timeline(scenarios, kpis)
    ax = fig.axes[0]
    windows = gid_artists(ax, "stop-window", Rectangle)
    assert len(windows) == len(stop_windows(scenarios["bus"])) == 4  # mon, wed, and tue twice
    spans = sorted((r.get_x(), r.get_width()) for r in windows)
    assert spans[0] == (9.0, 2.0)
    texts = [t.get_text() for t in ax.texts]
    # 40.5 served at north over 4 visits (Mon and Wed, two weeks), utilisation 50%
    assert any("Skäggetorp" in t and "≈10 served per visit" in t and "50% busy" in t for t in texts)
    with pytest.raises(ValueError):
        schedule_timeline({"today": scenarios["today"]})


def test_cost_benefit_has_one_point_per_design():
    fig = cost_benefit(summary_table())
    ax = fig.axes[0]
    points = [
        c for c in ax.containers if getattr(c, "lines", None) and c.lines[0].get_gid() == "design"
    ]
    assert len(points) == 3
    assert {t.get_text() for t in ax.texts} >= {"today", "bus", "two-buses"}
    assert "(h per week)" in ax.get_xlabel()
    with pytest.raises(ValueError):
        cost_benefit(summary_table(), y="no_such_kpi")


def test_saved_files_are_byte_identical_and_carry_no_date(tmp_path, scenarios):
    files = []
    for run in ("a", "b"):
        fig = design_maps(scenarios, {"today": {"north": 1.0}, "bus": {"north": 2.0}})
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. a missing glyph
            files.append(save_figure(fig, tmp_path / run, "map"))
    (png_a, svg_a), (png_b, svg_b) = files
    assert png_a.read_bytes() == png_b.read_bytes()
    assert svg_a.read_bytes() == svg_b.read_bytes()
    text = svg_a.read_text(encoding="utf-8")
    assert "<dc:date>" not in text and "Matplotlib v" not in text
    assert b"Software" not in png_a.read_bytes()[:400]
    from PIL import Image

    with Image.open(png_a) as im:
        assert im.info.get("dpi", (0, 0))[0] == pytest.approx(200, abs=1)
