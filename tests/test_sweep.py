"""Design sweeps: common random numbers, paired intervals, verdicts, executors, resume,
failure isolation, dotted-path overrides, the ``sweep`` and ``compare`` commands and the
replications algorithm.

Runs are tiny (``tests/data/tiny-base.yaml``: two areas, one office, two weeks; ~0.02 s a run).
"""

from __future__ import annotations

import copy
import importlib
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError
from scipy import stats

from simulation.cli.comparison_table import format_comparison
from simulation.cli.main import EXIT_BAD_INPUT, main
from simulation.experiment.analysis import (
    compare_designs,
    replications_needed,
    summarise_designs,
    t_interval,
    verdict,
)

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.layout import visits_path
from simulation.results.sweep_folder import read_comparison, run_sweep
from simulation.scenario.errors import ScenarioError
from simulation.scenario.overrides import apply_changes, set_path
from simulation.scenario.sweep_spec import KpiSpec, _cell_name, default_better, load_sweep
from tests.conftest import EXAMPLES

SWEEP = importlib.import_module("simulation.experiment.sweep")
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.sweep.yaml"
TABLES = ("replications.parquet", "summary.csv", "comparison.csv", "kpis.parquet")


def scenario(days: int = 14) -> dict[str, Any]:
    """The tiny base scenario as plain data, ``days`` long."""
    doc = yaml.safe_load((DATA / "tiny-base.yaml").read_text(encoding="utf-8"))
    doc["calendar"]["days"] = days
    return doc


def sweep_doc(**extra: Any) -> dict[str, Any]:
    """An inline sweep: today's office against one with a third counter."""
    doc: dict[str, Any] = {
        "name": "inline",
        "scenario": scenario(),
        "seed": 5,
        "replications": 3,
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "kpis": ["wait_mean", "served_share"],
    }
    doc.update(extra)
    return doc


def write_sweep(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def table_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLES}


def kept_visits(folder: Path, design: str, replication: int, level: str = "") -> pd.DataFrame:
    """The kept visit table of one run of a sweep folder (named by run key in the manifest)."""
    key = json.loads((folder / "manifest.json").read_text())["run_keys"][design][level][replication]
    return pd.read_parquet(visits_path(folder, key))


def sweep_command(sweep: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "simulation", "sweep", str(sweep), "--out", str(out), *extra]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


# ---------------------------------------------------------------------------------------------
# 1. Common random numbers
# ---------------------------------------------------------------------------------------------


def test_designs_see_identical_needs_per_replication(tmp_path):
    """Replication r of every design draws the same needs (times, errands, areas), even when
    a design adds a site; different replications draw different needs."""
    doc = sweep_doc(replications=2)
    doc["designs"]["second-office"] = {"add": {"sites": [
        {"id": "south-office", "kind": "office", "location": {"lat": 58.38, "lon": 15.62},
         "counters": 1, "opening_hours": {"mon-fri": ["12:00-15:00"]}}]}}
    run_sweep(doc, workers=1, out=tmp_path, keep_visits=True)
    cols = ["area", "errand", "need_min"]
    for r in (0, 1):
        tables = {d: kept_visits(tmp_path, d, r)
                  for d in ("today", "more", "second-office")}
        base = tables["today"].sort_values("visitor").reset_index(drop=True)
        assert len(base) > 500
        for design in ("more", "second-office"):
            other = tables[design].sort_values("visitor").reset_index(drop=True)
            pd.testing.assert_frame_equal(other[cols].astype({"area": str, "errand": str}),
                                          base[cols].astype({"area": str, "errand": str}))
            # ... while what happens to them does differ between designs
            assert not np.array_equal(other["outcome"].astype(str), base["outcome"].astype(str))
    r0 = kept_visits(tmp_path, "today", 0)
    r1 = kept_visits(tmp_path, "today", 1)
    assert len(r0) != len(r1) or not np.allclose(r0["need_min"], r1["need_min"])


def test_execute_same_replication_same_needs_across_designs():
    sweep = load_sweep(sweep_doc())
    tasks = SWEEP._tasks(sweep, range(2), keep_visits=True, kept=True)
    out = {(t.design, t.replication): SWEEP.execute(t) for t in tasks}
    for r in (0, 1):
        a, b = out[("today", r)]["visits"], out[("more", r)]["visits"]
        np.testing.assert_array_equal(a["need_min"].to_numpy(), b["need_min"].to_numpy())
        kpi = {d: out[(d, r)]["kpis"].set_index(["scope", "id", "kpi"])["value"] for d in ("today", "more")}
        assert kpi["today"][("overall", "all", "needs")] == kpi["more"][("overall", "all", "needs")]
        assert kpi["today"][("overall", "all", "wait_mean")] != kpi["more"][("overall", "all", "wait_mean")]
    assert not np.array_equal(out[("today", 0)]["visits"]["need_min"].to_numpy()[:100],
                              out[("today", 1)]["visits"]["need_min"].to_numpy()[:100])


# ---------------------------------------------------------------------------------------------
# 2. Paired comparison against a hand computation
# ---------------------------------------------------------------------------------------------

BASE_WAIT = np.array([10.0, 12.0, 15.0, 16.0, 19.0, 23.0])
NOISE = np.array([0.1, -0.2, 0.0, 0.3, -0.1, 0.2])


def hand_table() -> pd.DataFrame:
    """Baseline A, B = A - 1 + noise (clearly better), C = A + noise (no clear difference);
    rows of B shuffled so that pairing must go by replication, not by row order."""
    reps = np.arange(len(BASE_WAIT))
    a = pd.DataFrame({"design": "A", "level": "", "replication": reps, "wait_mean": BASE_WAIT,
                      "served_share": 0.5 + BASE_WAIT / 100})
    b = pd.DataFrame({"design": "B", "level": "", "replication": reps, "wait_mean": BASE_WAIT - 1 + NOISE,
                      "served_share": 0.5 + BASE_WAIT / 100 + 0.02 + NOISE / 100})
    c = pd.DataFrame({"design": "C", "level": "", "replication": reps, "wait_mean": BASE_WAIT + NOISE,
                      "served_share": 0.5 + BASE_WAIT / 100 - NOISE / 100})
    b = b.iloc[[3, 0, 5, 1, 4, 2]]
    return pd.concat([a, b, c], ignore_index=True)


def expected_row(design: np.ndarray, baseline: np.ndarray, level: float) -> dict[str, float]:
    n = len(design)
    d = design - baseline
    mean, sd = d.mean(), d.std(ddof=1)
    half = stats.t.ppf(1 - (1 - level) / 2, n - 1) * sd / math.sqrt(n)
    se = math.sqrt(design.var(ddof=1) / n + baseline.var(ddof=1) / n)
    indep = stats.t.ppf(1 - (1 - level) / 2, 2 * n - 2) * se
    return {"diff_mean": mean, "diff_std": sd, "ci_low": mean - half, "ci_high": mean + half,
            "paired_half_width": half, "independent_half_width": indep,
            "pairing_narrowing": 1 - half / indep, "baseline_mean": baseline.mean(),
            "design_mean": design.mean(), "relative_diff": mean / baseline.mean()}


def test_compare_designs_matches_hand_computation():
    table = hand_table()
    out = compare_designs(table, {"wait_mean": "lower", "served_share": "higher"}, "A", 0.95)
    assert len(out) == 4
    assert set(out["design"]) == {"B", "C"}
    assert (out["comparisons"] == 2).all()
    bonferroni = 1 - (1 - 0.95) / 2
    assert out["interval_level"].tolist() == pytest.approx([bonferroni] * 4)
    by = out.set_index(["design", "kpi"])
    a = table[table.design == "A"].set_index("replication").sort_index()
    for design in ("B", "C"):
        d = table[table.design == design].set_index("replication").sort_index()
        for kpi in ("wait_mean", "served_share"):
            want = expected_row(d[kpi].to_numpy(), a[kpi].to_numpy(), bonferroni)
            row = by.loc[(design, kpi)]
            for key, value in want.items():
                assert row[key] == pytest.approx(value, rel=1e-9), (design, kpi, key)
            assert row["n"] == 6
    # B is 1 minute faster, with a tight paired interval; pairing narrows it a lot
    assert by.loc[("B", "wait_mean"), "verdict"] == "better"
    assert by.loc[("B", "served_share"), "verdict"] == "better"
    assert by.loc[("B", "wait_mean"), "ci_high"] < 0
    assert by.loc[("B", "wait_mean"), "pairing_narrowing"] > 0.8
    assert by.loc[("C", "wait_mean"), "verdict"] == "no clear difference"


def test_compare_designs_without_correction_and_with_gaps():
    table = hand_table()
    # drop replication 5 of B and make one baseline value missing: 4 common pairs remain
    table = table[~((table.design == "B") & (table.replication == 5))].copy()
    table.loc[(table.design == "A") & (table.replication == 0), "wait_mean"] = np.nan
    out = compare_designs(table, {"wait_mean": "lower"}, "A", 0.9, correction="none")
    row = out.set_index("design").loc["B"]
    assert row["n"] == 4
    assert row["interval_level"] == pytest.approx(0.9)
    keep = [1, 2, 3, 4]
    a = BASE_WAIT[keep]
    b = (BASE_WAIT - 1 + NOISE)[keep]
    want = expected_row(b, a, 0.9)
    assert row["ci_low"] == pytest.approx(want["ci_low"])
    assert row["ci_high"] == pytest.approx(want["ci_high"])


def test_compare_designs_per_factor_level():
    table = pd.concat([hand_table().assign(level="x=1"),
                       hand_table().assign(level="x=2", wait_mean=lambda t: t.wait_mean * 2)],
                      ignore_index=True)
    out = compare_designs(table, {"wait_mean": "lower"}, "A", 0.95)
    assert out["level"].tolist() == ["x=1", "x=1", "x=2", "x=2"]
    assert (out["comparisons"] == 2).all()  # m counts designs, not levels
    b1, b2 = out[(out.design == "B")].sort_values("level")["diff_mean"]
    assert b2 == pytest.approx(2 * b1)


def test_compare_designs_one_replication_is_too_few():
    table = hand_table()
    table = table[table.replication == 0]
    out = compare_designs(table, {"wait_mean": "lower"}, "A", 0.95)
    assert (out["verdict"] == "too few replications").all()
    assert out["n"].tolist() == [1, 1]


def test_summarise_designs_matches_hand_computation():
    table = hand_table()
    out = summarise_designs(table, ["wait_mean", "served_share", "not_a_column"], 0.95)
    assert len(out) == 6
    assert out["design"].tolist() == ["A", "A", "B", "B", "C", "C"]
    row = out[(out.design == "B") & (out.kpi == "wait_mean")].iloc[0]
    x = BASE_WAIT - 1 + NOISE
    half = stats.t.ppf(0.975, 5) * x.std(ddof=1) / math.sqrt(6)
    assert row["n"] == 6
    assert row["mean"] == pytest.approx(x.mean())
    assert row["std"] == pytest.approx(x.std(ddof=1))
    assert row["ci_low"] == pytest.approx(x.mean() - half)
    assert row["ci_high"] == pytest.approx(x.mean() + half)


def test_t_interval_edge_cases():
    assert all(math.isnan(v) for v in t_interval(np.array([]), 0.95))
    mean, std, lo, hi = t_interval(np.array([4.0, np.nan]), 0.95)
    assert mean == 4.0 and math.isnan(std) and math.isnan(lo) and math.isnan(hi)


# ---------------------------------------------------------------------------------------------
# 3. Verdicts and KPI specs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lo", "hi", "better", "expected"), [
    (-2.0, -1.0, "lower", "better"),
    (-2.0, -1.0, "higher", "worse"),
    (1.0, 2.0, "lower", "worse"),
    (1.0, 2.0, "higher", "better"),
    (-1.0, 1.0, "lower", "no clear difference"),
    (-1.0, 1.0, "higher", "no clear difference"),
    (-1.0, 0.0, "lower", "no clear difference"),
    (0.0, 1.0, "higher", "no clear difference"),
    (math.nan, math.nan, "lower", "too few replications"),
    (-1.0, math.nan, "higher", "too few replications"),
])
def test_verdict(lo, hi, better, expected):
    assert verdict(lo, hi, better) == expected


def test_kpi_spec_parsing():
    spec = KpiSpec.model_validate("unserved_per_1000_yr@group:vulnerable")
    assert (spec.kpi, spec.scope, spec.id) == ("unserved_per_1000_yr", "group", "vulnerable")
    assert spec.label == "unserved_per_1000_yr@group:vulnerable"
    assert spec.direction == "lower"
    plain = KpiSpec.model_validate(" served_share ")
    assert (plain.kpi, plain.scope, plain.id, plain.label) == ("served_share", "overall", "all", "served_share")
    assert plain.direction == "higher"
    site = KpiSpec.model_validate("utilisation@site:linkoping-city")
    assert (site.scope, site.id) == ("site", "linkoping-city")
    forced = KpiSpec.model_validate({"kpi": "wait_mean", "better": "higher"})
    assert forced.direction == "higher"
    for bad in ("wait mean", "wait_mean@group", "wait_mean@grp:x", "Wait_Mean"):
        with pytest.raises(ValidationError):
            KpiSpec.model_validate(bad)


@pytest.mark.parametrize(("kpi", "better"), [
    ("wait_mean", "lower"), ("wait_p90", "lower"), ("unserved_per_1000_yr", "lower"),
    ("unserved_balked", "lower"), ("overtime_hours", "lower"), ("staff_hours_per_week", "lower"),
    ("travel_mean", "lower"), ("deferral_mean", "lower"), ("pending", "lower"),
    ("served_share", "higher"), ("within_15", "higher"), ("utilisation", "higher"), ("served", "higher"),
])
def test_default_better(kpi, better):
    assert default_better(kpi) == better


def test_sweep_comparison_uses_kpi_directions():
    result = run_sweep(sweep_doc(), workers=1)
    comp = result.comparison.set_index("kpi")
    assert comp.loc["wait_mean", "better"] == "lower"
    assert comp.loc["served_share", "better"] == "higher"
    # a third counter serves more visitors and they wait less
    assert comp.loc["wait_mean", "verdict"] == "better"
    assert comp.loc["served_share", "verdict"] == "better"
    assert list(result.replications.columns[:5]) == ["design", "level", "replication", "wait_mean", "served_share"]


# ---------------------------------------------------------------------------------------------
# 4. Same tables whatever the executor
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def serial_tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "out"
    result = run_sweep(TINY, workers=1, out=out)
    assert not result.failures
    assert len(result.replications) == 3 * 2 * 3
    return out


def test_tiny_sweep_folder(serial_tiny):
    manifest = json.loads((serial_tiny / "manifest.json").read_text())
    assert manifest["runs"] == 18
    assert manifest["replications"] == 3
    assert manifest["designs"] == ["today", "more-counters", "longer-hours"]
    assert manifest["levels"] == ["mean=20", "mean=40"]
    assert manifest["failed"] == 0
    assert len(list((serial_tiny / "runs").glob("*.parquet"))) == 18
    assert not (serial_tiny / "errors.log").exists()
    assert {p.name for p in (serial_tiny / "scenarios").iterdir()} == {
        f"{_cell_name('tiny', d, f'mean={m}')}.yaml" for d in ("today", "more-counters", "longer-hours") for m in (20, 40)}
    more = yaml.safe_load((serial_tiny / "scenarios" / f"{_cell_name('tiny', 'more-counters', 'mean=40')}.yaml").read_text())
    assert more["sites"][0]["counters"] == 3
    assert more["behaviour"]["patience_minutes"]["mean"] == 40


def test_local_processes_give_identical_tables(serial_tiny, tmp_path):
    run_sweep(TINY, workers=2, out=tmp_path)
    assert table_bytes(tmp_path) == table_bytes(serial_tiny)


def test_dask_local_cluster_gives_identical_tables(serial_tiny, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    proc = subprocess.run(sweep_command(TINY, out, "--executor", "dask", "--workers", "2"),
                          cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    assert table_bytes(out) == table_bytes(serial_tiny)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["executor"], manifest["workers"]) == ("dask", 2)


def test_unknown_executor_is_rejected():
    with pytest.raises(ValueError, match="unknown executor"):
        run_sweep(sweep_doc(), workers=1, executor="ray")


# ---------------------------------------------------------------------------------------------
# 5. Resume after a kill; more replications run only the new ones
# ---------------------------------------------------------------------------------------------


def run_files(folder: Path) -> dict[str, tuple[int, int]]:
    """``runs/*.parquet`` → (inode, mtime) to tell whether a file was rewritten."""
    out = {}
    for p in (folder / "runs").glob("*.parquet"):
        st = p.stat()
        out[p.name] = (st.st_ino, st.st_mtime_ns)
    return out


# (the kill -9 resume test is in tests/faults/test_resume.py)


def test_more_replications_in_process_run_only_new_ones(tmp_path, monkeypatch):
    doc = sweep_doc(replications=2)
    run_sweep(doc, workers=1, out=tmp_path)
    first = run_files(tmp_path)
    assert len(first) == 4
    calls = []
    real = SWEEP.simulate

    def counting(network, replication, seed, *args):
        calls.append((network.scenario.name, replication))
        return real(network, replication, seed, *args)

    monkeypatch.setattr(SWEEP, "simulate", counting)
    result = run_sweep(doc, workers=1, out=tmp_path, replications=4)
    again = run_sweep(doc, workers=1, out=tmp_path, replications=4)
    assert sorted(calls) == [("inline-more", 2), ("inline-more", 3), ("inline-today", 2), ("inline-today", 3)]
    assert len(run_files(tmp_path)) == 8
    assert result.replications["replication"].nunique() == 4
    pd.testing.assert_frame_equal(result.replications, again.replications)


# ---------------------------------------------------------------------------------------------
# 6. A failing run is isolated
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def broken_simulate(monkeypatch):
    """Replication 1 of design ``broken`` raises (workers=1 runs in this process)."""
    real = SWEEP.simulate

    def simulate(network, replication, seed, *args):
        if network.scenario.name.endswith("-broken") and replication == 1:
            raise RuntimeError("boom in the model")
        return real(network, replication, seed, *args)

    monkeypatch.setattr(SWEEP, "simulate", simulate)
    return real


def broken_doc() -> dict[str, Any]:
    doc = sweep_doc(name="fail")
    doc["designs"]["broken"] = {"set": {"sites.city.counters": 4}}
    return doc


def test_failing_run_is_isolated(tmp_path, broken_simulate, monkeypatch):
    result = run_sweep(broken_doc(), workers=1, out=tmp_path)
    assert len(result.failures) == 1
    design, level, rep, tb = result.failures[0]
    assert (design, level, rep) == ("broken", "", 1)
    assert "Traceback" in tb and "RuntimeError: boom in the model" in tb
    # every other run completed and is analysed (a row for the failed run, if any, is empty)
    wide = result.replications
    done = wide[wide["needs"].notna()]
    assert len(done) == 3 * 3 - 1
    assert set(done.loc[done.design == "broken", "replication"]) == {0, 2}
    failed = wide[(wide.design == "broken") & (wide.replication == 1)]
    assert failed.drop(columns=["design", "level", "replication"]).isna().all().all()
    assert len(run_files(tmp_path)) == 8
    comp = result.comparison.set_index(["design", "kpi"])
    assert comp.loc[("broken", "wait_mean"), "n"] == 2
    assert comp.loc[("more", "wait_mean"), "n"] == 3
    log = (tmp_path / "errors.log").read_text()
    assert "== design broken level - replication 1" in log
    assert "RuntimeError: boom in the model" in log
    assert json.loads((tmp_path / "manifest.json").read_text())["failed"] == 1

    # the same sweep again, with the model fixed: only the failed run is retried
    monkeypatch.setattr(SWEEP, "simulate", broken_simulate)
    fixed = run_sweep(broken_doc(), workers=1, out=tmp_path)
    assert fixed.failures == []
    assert len(run_files(tmp_path)) == 9
    assert not (tmp_path / "errors.log").exists()


def test_failed_run_reported_once_with_auto_replications(broken_simulate):
    """BUG: with automatic replications a failing run is retried in every round of the
    replications algorithm and reported once per round (here twice), so the CLI says
    "2 run(s) failed" and errors.log repeats it, though one run failed."""
    doc = broken_doc()
    doc["replications"] = {"kpi": "wait_mean", "half_width": 0.001, "initial": 3, "max": 6}
    result = run_sweep(doc, workers=1)
    assert result.replications["replication"].nunique() == 6
    assert [(d, lvl, r) for d, lvl, r, _ in result.failures] == [("broken", "", 1)]


def test_cli_reports_failed_runs(tmp_path, broken_simulate, capsys):
    sweep = write_sweep(tmp_path / "fail.sweep.yaml", broken_doc())
    out = tmp_path / "out"
    rc, stdout, stderr = cli(capsys, "sweep", str(sweep), "--workers", "1", "--out", str(out))
    assert rc == 1
    assert f"sweep fail: 3 design(s) x 1 level(s), baseline today; writing {out}/" in stdout
    assert "3 replication(s) per design and level" in stdout
    assert f"error: 1 run(s) failed; tracebacks in {out / 'errors.log'}" in stderr
    assert "broken - replication 1: RuntimeError: boom in the model" in stderr
    assert "Traceback" not in stderr
    assert (out / "errors.log").exists()
    assert (out / "comparison.csv").exists()


# ---------------------------------------------------------------------------------------------
# 7. Dotted-path overrides and sweep validation errors
# ---------------------------------------------------------------------------------------------


def override_doc() -> dict[str, Any]:
    return {
        "sites": [
            {"id": "linkoping-city", "counters": 3},
            {"id": "mobile-1", "schedule": [{"area": "a", "hours": ["10:00-12:00"]},
                                            {"area": "b", "hours": ["13:00-15:00"]}]},
        ],
        "behaviour": {"max_deferral_days": 7},
        "errands": [{"id": "e", "share": 1.0}],
    }


def test_set_path_by_id_position_and_new_keys():
    doc = override_doc()
    set_path(doc, "sites.linkoping-city.counters", 5)
    assert doc["sites"][0]["counters"] == 5
    set_path(doc, "sites.1.schedule.0.hours", ["09:00-11:00"])
    assert doc["sites"][1]["schedule"][0]["hours"] == ["09:00-11:00"]
    set_path(doc, "sites.mobile-1.schedule.1.area", "c")
    assert doc["sites"][1]["schedule"][1]["area"] == "c"
    set_path(doc, "behaviour.patience_minutes.median", 20)
    assert doc["behaviour"]["patience_minutes"] == {"median": 20}
    set_path(doc, "travel.speed_kmh", 30)
    assert doc["travel"] == {"speed_kmh": 30}
    value = {"mon-fri": ["10:00-16:00"]}
    set_path(doc, "sites.linkoping-city.opening_hours", value)
    value["mon-fri"].append("17:00-18:00")  # the document holds its own copy
    assert doc["sites"][0]["opening_hours"] == {"mon-fri": ["10:00-16:00"]}


@pytest.mark.parametrize(("path", "message"), [
    ("sites.linkoping-town.counters", "no list item with id or position 'linkoping-town' (ids: linkoping-city, mobile-1)"),
    ("sites.2.counters", "no list item with id or position '2' (ids: linkoping-city, mobile-1)"),
    ("sites.mobile-1.schedule.5.hours", "no list item with id or position '5' (positions 0..1)"),
    ("sites..counters", "empty segment in dotted path"),
    ("sites.linkoping-city.counters.x", "cannot go into a value that is neither a mapping nor a list"),
])
def test_set_path_errors(path, message):
    doc = override_doc()
    with pytest.raises(ScenarioError) as info:
        set_path(doc, path, 1, ("designs", "d", "set", path))
    assert info.value.message == message
    assert info.value.path == ("designs", "d", "set", path)
    assert doc == override_doc()


def test_apply_changes_remove_add_set_without_mutating_input():
    base = override_doc()
    frozen = copy.deepcopy(base)
    changes = {
        "remove": {"sites": ["mobile-1"]},
        "add": {"sites": [{"id": "new-office", "counters": 1}], "errands": [{"id": "f", "share": 0.5}]},
        "set": {"sites.new-office.counters": 2, "sites.linkoping-city.counters": 4, "errands.e.share": 0.5},
    }
    out = apply_changes(base, changes, ("designs", "d"))
    assert base == frozen
    assert [s["id"] for s in out["sites"]] == ["linkoping-city", "new-office"]
    assert out["sites"][0]["counters"] == 4
    assert out["sites"][1]["counters"] == 2  # set applies after add
    assert out["errands"] == [{"id": "e", "share": 0.5}, {"id": "f", "share": 0.5}]
    out["behaviour"]["max_deferral_days"] = 1
    assert base["behaviour"]["max_deferral_days"] == 7
    assert changes["add"]["sites"][0] == {"id": "new-office", "counters": 1}
    assert apply_changes(base, {}) == base


def test_apply_changes_remove_unknown_id():
    with pytest.raises(ScenarioError) as info:
        apply_changes(override_doc(), {"remove": {"sites": ["linkoping-city", "nowhere"]}}, ("designs", "d"))
    assert info.value.path == ("designs", "d", "remove", "sites", 1)
    assert info.value.value == "nowhere"
    assert "no sites item with this id to remove" in info.value.message


def bad_sweeps() -> list[tuple[str, dict[str, Any], str, tuple[Any, ...], str]]:
    """(case, sweep document, rendered path, path tuple, text in the message)."""
    def designs(**more: Any) -> dict[str, Any]:
        return {"today": {}, **more}

    return [
        ("design-key-typo", sweep_doc(designs=designs(more={"sett": {"sites.city.counters": 3}})),
         "designs.more.sett", ("designs", "more", "sett"), "unknown key 'sett'"),
        ("unknown-site-id", sweep_doc(designs=designs(more={"set": {"sites.town.counters": 3}})),
         "designs.more.set.sites.town.counters", ("designs", "more", "set", "sites.town.counters"),
         "no list item with id or position 'town' (ids: city)"),
        ("invalid-design-scenario", sweep_doc(designs=designs(more={"set": {"sites.city.counters": 0}})),
         "designs.more.sites[0].counters", ("designs", "more", "sites", 0, "counters"),
         "design 'more': input should be greater than or equal to 1 (got 0)"),
        ("remove-unknown", sweep_doc(designs=designs(more={"remove": {"sites": ["town"]}})),
         "designs.more.remove.sites[0]", ("designs", "more", "remove", "sites", 0),
         "no sites item with this id to remove (got 'town')"),
        ("factor-unknown-id", sweep_doc(factors={"sites.town.counters": [1, 2]}),
         "factors.sites.town.counters", ("factors", "sites.town.counters"), "(ids: city)"),
        ("factor-through-value", sweep_doc(factors={"behaviour.patience_minutes.mean.x": [1]}),
         "factors.behaviour.patience_minutes.mean.x", ("factors", "behaviour.patience_minutes.mean.x"),
         "cannot go into a value that is neither a mapping nor a list"),
        ("factor-invalid-level", sweep_doc(factors={"sites.city.counters": [2, 0]}),
         "designs.today.sites[0].counters", ("designs", "today", "sites", 0, "counters"),
         "design 'today' at counters=0"),
        ("no-designs", sweep_doc(designs={}), "designs", ("designs",), "at least 1 item"),
        ("bad-kpi", sweep_doc(kpis=["wait mean"]), "kpis[0]", ("kpis", 0), "expected 'kpi' or 'kpi@scope:id'"),
        ("missing-base", {"name": "x", "base": "nope.yaml", "designs": {"a": {}}},
         "base", ("base",), "cannot read file"),
        ("base-and-scenario", sweep_doc(base="tiny-base.yaml"), "(top level)", (),
         "give exactly one of 'base'"),
    ]


@pytest.mark.parametrize("case", bad_sweeps(), ids=[c[0] for c in bad_sweeps()])
def test_sweep_validation_errors_name_file_and_path(case, tmp_path):
    _, doc, rendered, path, text = case
    sweep = write_sweep(tmp_path / "bad.sweep.yaml", doc)
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep)
    err = info.value
    assert err.source == str(sweep)
    assert err.path == path
    assert str(err).startswith(f"{sweep}: {rendered}: ")
    assert text in str(err)


def test_misspelled_kpi_is_an_error(tmp_path):
    """BUG: a KPI name that no run produces (``wait_maen``) is accepted; the sweep runs,
    the comparison is silently empty and the command prints "(no comparisons: a sweep
    needs at least two designs)" although there are two designs."""
    doc = sweep_doc(kpis=["wait_maen", "served_share"])
    with pytest.raises(ScenarioError, match="wait_maen"):
        run_sweep(write_sweep(tmp_path / "typo.sweep.yaml", doc), workers=1)


def test_baseline_not_among_designs(tmp_path):
    sweep = write_sweep(tmp_path / "bad.sweep.yaml", sweep_doc(baseline="tody"))
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep)
    assert str(info.value).startswith(f"{sweep}: ")
    assert "baseline: not one of the designs (today, more) (got 'tody')" in str(info.value)


def test_baseline_error_points_at_baseline_key(tmp_path):
    """BUG: the error says ``(top level)`` and shows the whole sweep document as the value,
    instead of pointing at ``baseline`` and showing ``'tody'``."""
    sweep = write_sweep(tmp_path / "bad.sweep.yaml", sweep_doc(baseline="tody"))
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep)
    assert info.value.path == ("baseline",)
    assert str(info.value) == f"{sweep}: baseline: not one of the designs (today, more) (got 'tody')"


def test_typo_in_sweep_keys_suggests_sweep_vocabulary(tmp_path):
    """BUG: suggestions come from the scenario vocabulary only: ``sett`` → 'start',
    ``replicatons`` → 'location', instead of 'set' and 'replications'."""
    sweep = write_sweep(tmp_path / "bad.sweep.yaml",
                        sweep_doc(designs={"today": {}, "more": {"sett": {"sites.city.counters": 3}}}))
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep)
    assert "did you mean 'set'?" in str(info.value)
    doc = sweep_doc()
    doc["replicatons"] = doc.pop("replications")
    with pytest.raises(ScenarioError) as info:
        load_sweep(write_sweep(tmp_path / "bad2.sweep.yaml", doc))
    assert "did you mean 'replications'?" in str(info.value)


def test_auto_replications_error_is_reported(tmp_path):
    """BUG: ``max < initial`` in automatic replications is reported as
    ``replications.constrained-int: input should be a valid integer``, hiding the real
    problem (and showing a pydantic-internal path segment)."""
    doc = sweep_doc(replications={"kpi": "wait_mean", "half_width": 0.1, "initial": 5, "max": 3})
    sweep = write_sweep(tmp_path / "bad.sweep.yaml", doc)
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep)
    assert "constrained-int" not in str(info.value)
    assert info.value.path == ("replications",)
    assert "max (3) must be at least initial (5)" in str(info.value)


@pytest.mark.parametrize("case", bad_sweeps()[:7] + [("baseline", sweep_doc(baseline="tody"), "", (), "")],
                         ids=[c[0] for c in bad_sweeps()[:7]] + ["baseline"])
def test_cli_sweep_bad_input_exits_2_with_one_line(case, tmp_path, capsys):
    sweep = write_sweep(tmp_path / "bad.sweep.yaml", case[1])
    out = tmp_path / "out"
    rc, stdout, stderr = cli(capsys, "sweep", str(sweep), "--out", str(out), "--workers", "1")
    assert rc == EXIT_BAD_INPUT
    assert stdout == ""
    assert stderr.startswith(f"error: {sweep}: ")
    assert stderr.count("\n") == 1
    assert "Traceback" not in stderr
    assert not out.exists()


def test_cli_sweep_missing_file_exits_2(tmp_path, capsys):
    rc, _, stderr = cli(capsys, "sweep", str(tmp_path / "absent.sweep.yaml"), "--out", str(tmp_path / "o"))
    assert rc == EXIT_BAD_INPUT
    assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_example_pilot_sweep_resolves():
    sweep = load_sweep(EXAMPLES / "norrkoping-pilot.sweep.yaml")
    assert sweep.spec.baseline_design == "fixed"
    assert sweep.seed == 2023
    assert [(d, lbl) for d, lbl, _, _ in sweep.cells] == [
        (d, f"delay_minutes_per_day={v}") for d in ("fixed", "mobile", "new-office") for v in (15, 30)]
    by = {(d, lbl): s for d, lbl, _, s in sweep.cells}
    new = by[("new-office", "delay_minutes_per_day=30")]
    assert {s.id: s.counters for s in new.sites} == {"norrkoping-city": 7, "hageby-office": 2}
    assert new.behaviour.delay_minutes_per_day == 30
    fixed = by[("fixed", "delay_minutes_per_day=15")]
    assert [s.id for s in fixed.sites] == ["norrkoping-city"]
    assert fixed.sites[0].counters == 8
    assert [s.id for s in by[("mobile", "delay_minutes_per_day=15")].sites] == ["norrkoping-city", "mobile-1"]


# ---------------------------------------------------------------------------------------------
# 8. servicesim compare
# ---------------------------------------------------------------------------------------------


def test_cli_compare_prints_the_table(serial_tiny, capsys):
    rc, stdout, stderr = cli(capsys, "compare", str(serial_tiny))
    assert rc == 0
    assert stderr == ""
    assert stdout == format_comparison(read_comparison(serial_tiny)) + "\n"
    lines = stdout.splitlines()
    assert lines[0].split() == ["design", "level", "kpi", "baseline", "design", "mean", "difference", "(CI)", "verdict"]
    body = lines[2:-1]
    assert len(body) == 2 * 2 * 3  # designs other than the baseline x levels x KPIs
    assert {line.split()[0] for line in body} == {"more-counters", "longer-hours"}
    assert {line.split()[1] for line in body} == {"mean=20", "mean=40"}
    row = next(line for line in body if line.startswith("more-counters") and "mean=20" in line
               and " wait_mean " in line)
    assert row.rstrip().endswith("better")
    assert all(line.rstrip().endswith(("better", "worse", "no clear difference", "too few replications"))
               for line in body)
    assert lines[-1].startswith("intervals: 0.9750 each (bonferroni over 2 comparison(s) per KPI and level)")


def test_cli_compare_without_comparison_exits_2(tmp_path, capsys):
    rc, stdout, stderr = cli(capsys, "compare", str(tmp_path))
    assert rc == EXIT_BAD_INPUT
    assert stdout == ""
    assert stderr == f"error: {tmp_path}: no manifest.json here; is this a servicesim result folder?\n"


def test_compare_single_design_sweep(tmp_path, capsys):
    """BUG: a sweep with one design writes an empty comparison.csv (no header), and
    ``servicesim compare`` on its folder crashes with pandas' EmptyDataError traceback."""
    doc = sweep_doc(designs={"today": {}}, replications=2)
    rc, stdout, _ = cli(capsys, "sweep", str(write_sweep(tmp_path / "one.sweep.yaml", doc)),
                        "--workers", "1", "--out", str(tmp_path / "out"))
    assert rc == 0
    assert "(no comparisons: a sweep needs at least two designs)" in stdout
    rc, stdout, _ = cli(capsys, "compare", str(tmp_path / "out"))
    assert rc == 0
    assert "(no comparisons: a sweep needs at least two designs)" in stdout


# ---------------------------------------------------------------------------------------------
# 9. Automatic replications
# ---------------------------------------------------------------------------------------------


def auto(half_width: float, **extra: Any) -> dict[str, Any]:
    return sweep_doc(replications={"kpi": "wait_mean", "half_width": half_width, "relative": True,
                                   "initial": 3, "max": 12, **extra})


def test_auto_replications_tight_target_stops_at_max(tmp_path):
    result = run_sweep(auto(0.001), workers=1, out=tmp_path)
    assert sorted(result.replications["replication"].unique()) == list(range(12))
    assert len(result.replications) == 2 * 12
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["replications"], manifest["runs"]) == (12, 24)
    assert (result.comparison["n"] == 12).all()


def test_auto_replications_loose_target_stays_at_initial():
    result = run_sweep(auto(5.0), workers=1)
    assert sorted(result.replications["replication"].unique()) == [0, 1, 2]


def test_auto_replications_reaches_moderate_target(tmp_path):
    """A target the first 3 replications miss but more replications reach: the sweep stops
    once every design meets it (before max), and the final half-widths are within it."""
    first = run_sweep(auto(5.0), workers=1).summary
    first = first[first.kpi == "wait_mean"]
    rel = ((first.ci_high - first.ci_low) / 2 / first["mean"].abs()).max()
    result = run_sweep(auto(rel * 0.6, max=40), workers=1)
    n = result.replications["replication"].nunique()
    assert 3 < n < 40
    s = result.summary[result.summary.kpi == "wait_mean"]
    assert (((s.ci_high - s.ci_low) / 2 / s["mean"].abs()) <= rel * 0.6).all()


def test_auto_replications_kpi_outside_kpis_is_ignored():
    """BUG: the replications algorithm looks for its KPI in the wide table, which holds
    only overall and group KPIs plus those listed under ``kpis``. A site or area KPI not
    listed there is silently ignored: the sweep stops at ``initial`` however tight the
    target (listing it under ``kpis`` as well makes it work)."""
    listed = run_sweep(auto(0.0001, kpi="utilisation@site:city", max=6)
                       | {"kpis": ["wait_mean", "utilisation@site:city"]}, workers=1)
    assert listed.replications["replication"].nunique() == 6
    unlisted = run_sweep(auto(0.0001, kpi="utilisation@site:city", max=6), workers=1)
    assert unlisted.replications["replication"].nunique() == 6


def test_replications_needed_by_hand():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    half = stats.t.ppf(0.975, 4) * x.std(ddof=1) / math.sqrt(5)  # 1.963
    assert replications_needed(x, 1.0, 0.95, relative=False) == math.ceil(5 * half**2)
    assert replications_needed(x, 0.5, 0.95, relative=True) == math.ceil(5 * (half / 1.5) ** 2)
    assert replications_needed(x, 2.0, 0.95, relative=False) == 5
    assert replications_needed(np.array([1.0]), 1.0, 0.95, relative=False) == 3
    assert replications_needed(np.array([1.0, np.nan, 3.0]), 100.0, 0.95, relative=False) == 2


def test_cli_replications_override_replaces_auto(tmp_path, capsys):
    sweep = write_sweep(tmp_path / "auto.sweep.yaml", auto(0.001))
    rc, stdout, _ = cli(capsys, "sweep", str(sweep), "--workers", "1", "--out", str(tmp_path / "o"), "-r", "4")
    assert rc == 0
    assert "\n4 replication(s) per design and level" in stdout
