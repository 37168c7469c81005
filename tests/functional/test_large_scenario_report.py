"""A scenario with more areas than ``LARGE_SCENARIO_AREAS`` gets the national map, the
vulnerable areas' unserved bars and the largest offices' heat maps (issue 17)."""

from __future__ import annotations

import simulation
from simulation.report.figures import LARGE_HEATMAP_SITES, figure_specs
from simulation.report.plots.national import LARGE_SCENARIO_AREAS
from simulation.results.read import load_results
from simulation.results.run_folder import write_run


def _scenario(n_areas: int, n_sites: int) -> dict:
    areas = [
        {
            "id": f"a{i}",
            "population": 100,
            "vulnerable": i < 3,
            "location": {"lat": 56.0 + 0.03 * (i % 40), "lon": 13.0 + 0.05 * (i // 40)},
            "demand": {"per_1000_per_year": 50},
        }
        for i in range(n_areas)
    ]
    sites = [
        {
            "id": f"s{k}",
            "kind": "office",
            "counters": 1 + k,
            "location": {"lat": 56.2 + 0.1 * k, "lon": 13.2},
            "opening_hours": {"mon-fri": ["10:00-15:00"]},
        }
        for k in range(n_sites)
    ]
    return {
        "name": "large",
        "calendar": {"start": "2023-01-02", "days": 2, "warmup_days": 0},
        "seed": 1,
        "errands": [
            {"id": "any", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 10}}
        ],
        "areas": areas,
        "sites": sites,
    }


def test_large_scenario_gets_the_national_map_and_short_figures(tmp_path):
    result = simulation.run(_scenario(LARGE_SCENARIO_AREAS + 1, LARGE_HEATMAP_SITES + 3))
    res = load_results(write_run(result, tmp_path / "run"))
    specs = {s.name: s for s in figure_specs(res)}
    fig = specs["map"].draw()
    assert "municipalities" in {c.get_gid() for c in fig.axes[0].collections}
    assert "municipality" in specs["map"].title
    assert "vulnerable" in specs["unserved"].title
    assert "largest offices" in specs["queues"].title
    heat = specs["queues"].draw()
    assert len([im for ax in heat.axes for im in ax.images if im.get_gid() == "queue"]) == (
        LARGE_HEATMAP_SITES
    )


def test_small_scenario_keeps_the_area_map(tmp_path):
    result = simulation.run(_scenario(5, 2))
    res = load_results(write_run(result, tmp_path / "run"))
    specs = {s.name: s for s in figure_specs(res)}
    assert specs["map"].title == "Areas, offices and mobile-unit stops"
    assert "largest" not in specs["queues"].title
