"""Kept visit and site-hour tables (issue 12, rule 2) are named by run key; the report reads
only those of the runs of the current sweep, and the files of other runs are removed.

Today they are named by design, level and replication: reruns into one folder with seed 1, 2, 1
give the tables of seed 1 and the figures of seed 2, and ``--keep-visits`` leaves tables of
an older scenario that the report pools.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulation.report.build import build_report
from simulation.results.read import load_results
from simulation.results.sweep_folder import run_sweep

SWEEP = importlib.import_module("simulation.experiment.sweep")
DATA = Path(__file__).resolve().parents[1] / "data"
TABLES = ("replications.parquet", "summary.csv", "comparison.csv", "kpis.parquet")


def sweep_doc(per_hour: float = 3, **extra: Any) -> dict[str, Any]:
    doc = yaml.safe_load((DATA / "tiny-base.yaml").read_text(encoding="utf-8"))
    doc["areas"][0]["demand"]["per_hour"] = per_hour
    out = {
        "name": "kept",
        "scenario": doc,
        "seed": 1,
        "replications": 3,
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "kpis": ["wait_mean", "served_share"],
    }
    out.update(extra)
    return out


def kept_files(folder: Path, table: str = "visits") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / table).iterdir()}


def run_keys(folder: Path) -> dict[str, dict[str, list[str]]]:
    return json.loads((folder / "manifest.json").read_text())["run_keys"]


def assert_same_kept_tables(a: Path, b: Path) -> None:
    ra, rb = load_results(a), load_results(b)
    for name in ("visits", "site_hours"):
        ta, tb = getattr(ra, name), getattr(rb, name)
        assert set(ta) == set(tb) == {"today", "more"}
        for design in ta:
            pd.testing.assert_frame_equal(ta[design], tb[design])


def test_reruns_with_seed_1_2_1_keep_tables_and_figures_consistent(tmp_path):
    # fault: the same folder rerun with seed 1, then 2, then 1 again
    out = tmp_path / "out"
    for seed in (1, 2, 1):
        run_sweep(sweep_doc(), workers=1, out=out, seed=seed)
    fresh = tmp_path / "fresh"
    run_sweep(sweep_doc(), workers=1, out=fresh, seed=1)
    assert all((out / t).read_bytes() == (fresh / t).read_bytes() for t in TABLES)
    for table in ("visits", "site_hours"):
        assert kept_files(out, table) == kept_files(fresh, table)
    assert_same_kept_tables(out, fresh)
    build_report(out)
    build_report(fresh)
    figures = sorted(p.name for p in (fresh / "figures").glob("*.png"))
    assert "waits.png" in figures and "queues.png" in figures
    for name in figures:
        assert (out / "figures" / name).read_bytes() == (fresh / "figures" / name).read_bytes(), (
            name
        )


def test_keep_visits_leftovers_of_an_older_scenario_are_not_pooled(tmp_path):
    # fault: a sweep with --keep-visits, then an edited scenario into the same folder without it
    out = tmp_path / "out"
    run_sweep(sweep_doc(per_hour=3, replications=5), workers=1, out=out, keep_visits=True)
    assert len(kept_files(out)) == 2 * 5
    run_sweep(sweep_doc(per_hour=1, replications=5), workers=1, out=out)
    fresh = tmp_path / "fresh"
    run_sweep(sweep_doc(per_hour=1, replications=5), workers=1, out=fresh)
    res = load_results(out)
    for design in ("today", "more"):
        assert sorted(res.visits[design]["replication"].unique()) == [0, 1, 2]
    assert_same_kept_tables(out, fresh)
    # only the current sweep's kept tables and runs remain
    keys = run_keys(out)
    assert set(kept_files(out)) == {f"{keys[d][''][r]}.parquet" for d in keys for r in range(3)}
    assert {p.name for p in (out / "runs").iterdir()} == {
        f"{k}.parquet" for d in keys.values() for ks in d.values() for k in ks
    }


def test_keep_visits_then_without_keeps_the_sample_only(tmp_path):
    # fault: --keep-visits, then the same sweep without it; the report must not depend on history
    out = tmp_path / "out"
    run_sweep(sweep_doc(replications=5), workers=1, out=out, keep_visits=True)
    run_sweep(sweep_doc(replications=5), workers=1, out=out)
    fresh = tmp_path / "fresh"
    run_sweep(sweep_doc(replications=5), workers=1, out=fresh)
    assert kept_files(out) == kept_files(fresh)
    assert_same_kept_tables(out, fresh)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kept_replications"] == [0, 1, 2]


def test_cleanup_touches_only_servicesim_files(tmp_path):
    # fault: a design is dropped from the sweep; its runs and tables go, a user's file stays
    out = tmp_path / "out"
    run_sweep(sweep_doc(), workers=1, out=out)
    dropped = run_keys(out)["more"][""]
    notes = out / "visits" / "notes.txt"
    notes.write_text("mine\n", encoding="utf-8")
    doc = sweep_doc()
    del doc["designs"]["more"]
    run_sweep(doc, workers=1, out=out)
    assert notes.read_text(encoding="utf-8") == "mine\n"
    for table in ("runs", "visits", "site_hours"):
        names = {p.name for p in (out / table).iterdir()}
        assert not names & {f"{k}.parquet" for k in dropped}
    assert len(list((out / "runs").glob("*.parquet"))) == 3


def test_old_design_named_tables_are_ignored_and_removed(tmp_path):
    # fault: a folder holding kept tables named the old way (design-level-rN.parquet)
    out = tmp_path / "out"
    run_sweep(sweep_doc(), workers=1, out=out)
    stale = out / "visits" / "today-r0.parquet"
    pd.read_parquet(next((out / "visits").glob("*.parquet"))).head(1).to_parquet(stale)
    res = load_results(out)
    assert sum(len(v) for v in res.visits.values()) == sum(
        len(pd.read_parquet(p)) for p in (out / "visits").glob("*.parquet") if p != stale
    )
    run_sweep(sweep_doc(), workers=1, out=out)
    assert not stale.exists()
