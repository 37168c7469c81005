"""Return visits (docs/model.md section 13): hand-traced timelines, identity at probability 0,
common random numbers per need and attempt, and schema errors."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulation
from simulation.engine.network import compile_network
from simulation.engine.replication import VisitorInputs, run_visitors
from simulation.measures.kpis import replication_kpis
from simulation.scenario.errors import ScenarioError
from simulation.scenario.kpi_catalogue import RETURN_KPIS
from simulation.scenario.yaml_io import read_yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "configs" / "examples" / "two-areas.yaml"
LOC = {"lat": 59.0, "lon": 18.0}


def office_scenario(returns: dict, *, limit: int | None = None, patience=None) -> dict:
    site = {"id": "s", "kind": "office", "location": LOC, "counters": 1, "opening_hours": "always"}
    if limit is not None:
        site["queue_capacity"] = limit
    return {
        "name": "returns",
        "calendar": {"start": "2023-01-02", "days": 1},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 30}}
        ],
        "areas": [{"id": "a", "population": 1000, "location": LOC, "demand": {"per_hour": 1}}],
        "sites": [site],
        "behaviour": {"patience_minutes": patience, "returns": returns},
    }


def hand_run(doc: dict, needs: list[float], patience: list[float]) -> pd.DataFrame:
    network = compile_network(simulation.load_scenario(doc))
    n = len(needs)
    need = np.array(needs, dtype=float)
    inputs = VisitorInputs(
        area=np.zeros(n, dtype=np.int32),
        errand=np.zeros(n, dtype=np.int64),
        need=need,
        service=np.full(n, 30.0),
        patience=np.array(patience, dtype=float),
        place=np.zeros(n, dtype=np.int64),
        arrival=need.copy(),
        travel=np.zeros(n),
        deferral_days=np.zeros(n),
        declined=np.zeros(n, dtype=bool),
    )
    return run_visitors(network, 0, inputs, seed=0)


def rows(v: pd.DataFrame) -> list[tuple]:
    out = []
    for r in v.itertuples():
        end = r.leave_min if math.isnan(r.end_min) else r.end_min
        out.append((r.need, r.attempt, r.need_min, r.start_min, end, r.outcome))
    return [tuple(None if isinstance(x, float) and math.isnan(x) else x for x in t) for t in out]


def test_timeline_balked_returns_until_max_attempts():
    """Loss office, service 30, returns after a balk with certainty 25 minutes later, at most 3
    attempts. Needs at 0, 10, 12: need 0 served 0-30; need 1 balks at 10, returns at 35 and is
    served 35-65; need 2 balks at 12, returns at 37 (balks: need 1 is at the counter), returns at
    62 (balks again) and, at its third attempt, stops: finally balked."""
    doc = office_scenario(
        {
            "after": ["balked"],
            "probability": 1.0,
            "delay_minutes": {"dist": "deterministic", "value": 25},
            "max_attempts": 3,
        },
        limit=0,
    )
    v = hand_run(doc, [0, 10, 12], [math.inf] * 3)
    assert rows(v) == [
        (0, 1, 0.0, 0.0, 30.0, "served"),
        (1, 1, 10.0, None, 10.0, "balked"),
        (2, 1, 12.0, None, 12.0, "balked"),
        (1, 2, 35.0, 35.0, 65.0, "served"),
        (2, 2, 37.0, None, 37.0, "balked"),
        (2, 3, 62.0, None, 62.0, "balked"),
    ]
    network = compile_network(simulation.load_scenario(doc))
    k = replication_kpis(network, v, 0)
    overall = k[k["scope"] == "overall"].set_index("kpi")["value"]
    assert overall["needs"] == 3 and overall["served"] == 2 and overall["unserved_balked"] == 1
    assert overall["attempts_per_need"] == 2.0
    assert overall["served_first_share"] == pytest.approx(1 / 3)
    assert overall["days_to_service_mean"] == pytest.approx((0 + 25 / 1440) / 2)
    assert overall["return_visits"] == 3
    site = k[k["scope"] == "site"].set_index("kpi")["value"]
    assert site["needs"] == 6 and site["unserved_balked"] == 4 and site["return_visits"] == 3


def test_timeline_reneged_returns_at_its_deadline():
    """One counter, service 30, patience 5 for returns. Need 0 at 0 is served 0-30; need 1 at 1
    (patience 5) reneges at 6, returns 20 minutes later at 26, waits and is served at 30 (its
    deadline is 31): the reneging is recorded at the deadline, not when a counter frees."""
    doc = office_scenario(
        {
            "after": ["reneged"],
            "probability": 1.0,
            "delay_minutes": {"dist": "deterministic", "value": 20},
        },
        patience={"dist": "deterministic", "value": 5},
    )
    v = hand_run(doc, [0, 1], [math.inf, 5])
    assert rows(v) == [
        (0, 1, 0.0, 0.0, 30.0, "served"),
        (1, 1, 1.0, None, 6.0, "reneged"),
        (1, 2, 26.0, 30.0, 60.0, "served"),
    ]


def test_return_after_the_horizon_is_pending():
    """A return that would arise after the horizon is a row of its own, ``pending``."""
    doc = office_scenario(
        {
            "after": ["balked"],
            "probability": 1.0,
            "delay_days": {"dist": "deterministic", "value": 2},
        },
        limit=0,
    )
    v = hand_run(doc, [0, 10], [math.inf] * 2)
    assert rows(v)[-1] == (1, 2, 10.0 + 2 * 1440, None, None, "pending")


def example(**returns) -> dict:
    doc = read_yaml(EXAMPLE)
    doc["travel"] = {**doc.get("travel", {}), "max_travel_minutes": 120}
    doc["sites"][0]["closing"] = "turn_away"
    doc["calendar"]["days"] = 21
    if returns:
        doc["behaviour"]["returns"] = returns
    return doc


def run(doc: dict):
    return simulation.run(doc, replications=2, seed=11, progress=False)


def test_probability_zero_is_identical_to_no_returns():
    """With probability 0 every table and KPI equals the run without returns (same seed); the
    table only gains ``need`` (= visitor) and ``attempt`` (= 1) and the return KPIs."""
    every = ["reneged", "balked", "closed", "no_option", "declined"]
    delay = {"dist": "gamma", "mean": 2, "cv": 0.8}
    plain = run(example())
    zero = run(example(after=every, probability=0.0, delay_days=delay, max_attempts=None))
    v = zero.visits
    assert (v["need"] == v["visitor"]).all() and (v["attempt"] == 1).all()
    assert set(plain.visits["outcome"]) >= {"served", "reneged", "balked"}
    pd.testing.assert_frame_equal(v.drop(columns=["need", "attempt"]), plain.visits)
    pd.testing.assert_frame_equal(zero.site_hours, plain.site_hours)
    extra = zero.kpis["kpi"].isin(RETURN_KPIS)
    pd.testing.assert_frame_equal(zero.kpis[~extra].reset_index(drop=True), plain.kpis)
    assert (zero.kpis.loc[zero.kpis["kpi"] == "attempts_per_need", "value"] == 1).all()
    summary = zero.summary[~zero.summary["kpi"].isin(RETURN_KPIS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(summary, plain.summary)


def test_unreachable_site_changes_no_attempt():
    """Common random numbers: adding an office no area can reach leaves every attempt of every
    need (need time, site, arrival, service, outcome) unchanged."""
    returns = {"probability": 0.8, "delay_days": {"dist": "gamma", "mean": 1, "cv": 0.8}}
    doc = example(**returns, after=["reneged", "balked", "closed", "no_option"])
    far = copy.deepcopy(doc)
    far["sites"].insert(
        0,
        {**copy.deepcopy(doc["sites"][0]), "id": "kiruna", "location": {"lat": 67.8, "lon": 20.2}},
    )
    a, b = run(doc).visits, run(far).visits
    assert (a["attempt"] > 1).sum() > 100
    assert "kiruna" not in set(b["site"].dropna())
    for col in a.columns:
        x, y = a[col], b[col]
        if isinstance(x.dtype, pd.CategoricalDtype):
            x, y = x.astype(object), y.astype(object)
        pd.testing.assert_series_equal(x, y, check_names=True)


def test_returns_differ_when_probability_changes():
    """A need's later attempts change with the scenario's returns (the test can fail)."""
    delay = {"dist": "gamma", "mean": 1, "cv": 0.8}
    low = run(example(probability=0.3, delay_days=delay)).visits
    high = run(example(probability=0.9, delay_days=delay)).visits
    assert (high["attempt"] > 1).sum() > (low["attempt"] > 1).sum()


@pytest.mark.parametrize(
    ("returns", "message"),
    [
        ({"probability": 0.5}, "give exactly one of delay_days or delay_minutes"),
        (
            {
                "probability": 0.5,
                "delay_days": {"dist": "exponential", "mean": 1},
                "delay_minutes": {"dist": "exponential", "mean": 1},
            },
            "give exactly one of delay_days or delay_minutes",
        ),
        ({"probability": 1.5, "delay_days": {"dist": "exponential", "mean": 1}}, "probability"),
        (
            {
                "probability": 0.5,
                "after": ["served"],
                "delay_days": {"dist": "exponential", "mean": 1},
            },
            "after",
        ),
        (
            {
                "probability": 0.5,
                "max_attempts": 0,
                "delay_days": {"dist": "exponential", "mean": 1},
            },
            "max_attempts",
        ),
    ],
)
def test_bad_returns_give_a_clear_error(returns, message):
    doc = office_scenario(returns)
    with pytest.raises(ScenarioError) as err:
        simulation.load_scenario(doc)
    assert message in str(err.value)
    assert "behaviour.returns" in str(err.value)


def test_scenario_without_returns_resolves_as_before():
    """The resolved scenario has no ``returns`` key unless given (same run identity)."""
    doc = simulation.load_scenario(
        office_scenario({"probability": 0.5, "delay_days": {"dist": "exponential", "mean": 1}})
    )
    assert "delay_minutes" not in doc.to_dict()["behaviour"]["returns"]
    plain = copy.deepcopy(office_scenario({}))
    del plain["behaviour"]["returns"]
    resolved = simulation.load_scenario(plain).to_dict()
    assert "returns" not in resolved["behaviour"]
    assert all("returns" not in e for e in resolved["errands"])


def test_an_errand_may_have_its_own_returns(capsys):
    """An errand's ``returns`` replaces the scenario's for its needs: here only Försäkringskassan
    needs come back, and the terminal line names the errand."""
    from simulation.scenario.returns_schema import describe_returns

    doc = example(probability=0.0, delay_days={"dist": "gamma", "mean": 1, "cv": 0.8})
    doc["errands"][1]["returns"] = {
        "probability": 1.0,
        "delay_days": {"dist": "exponential", "mean": 1},
    }
    scenario = simulation.load_scenario(doc)
    v = run(doc).visits
    later = v[v["attempt"] > 1]
    assert len(later) > 50 and set(later["errand"].astype(str)) == {doc["errands"][1]["id"]}
    lines = describe_returns(
        scenario.behaviour.returns, [(e.id, e.returns) for e in scenario.errands]
    )
    assert lines[0].startswith("Return visits (assumed): 0% of attempts")
    assert lines[1].startswith(f"Errand {doc['errands'][1]['id']}: Return visits (assumed): 100%")
    # without behaviour.returns, the errand's own block alone turns returns on
    del doc["behaviour"]["returns"]
    assert (run(doc).visits["attempt"] > 1).sum() == len(later)


def test_return_visits_figure_draws_reasons_attempts_and_load():
    """The report's return-visit figure: bars per reason, bars per attempt count, load lines."""
    from simulation.report.plots import return_visits_figure
    from simulation.report.plots.returns import attempts_share, reasons_first_and_last

    returns = {"probability": 0.9, "delay_days": {"dist": "gamma", "mean": 1, "cv": 0.8}}
    v = run(example(**returns)).visits
    table = reasons_first_and_last(v)
    assert table.loc["last attempt"].sum() < table.loc["first attempt"].sum()
    share = attempts_share(v)
    assert share.sum() == pytest.approx(1.0) and share.index.max() == 3
    fig = return_visits_figure({"run": v}, {"run": 21.0})
    gids = {a.get_gid() for ax in fig.axes for a in [*ax.patches, *ax.lines]}
    assert {"returns-reneged", "attempts-run"} <= gids
    assert any(str(g).startswith("load-") for g in gids)


def test_terminal_states_the_returns_assumption(tmp_path, capsys, monkeypatch):
    """`servicesim run` prints the return-visit assumption of a scenario with returns."""
    import yaml

    from simulation.cli.main import main

    returns = {"probability": 0.7, "delay_days": {"dist": "gamma", "mean": 2, "cv": 0.8}}
    path = tmp_path / "returns.yaml"
    path.write_text(yaml.safe_dump(example(**returns), allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(path), "-q", "--no-report", "--replications", "1"]) == 0
    printed = capsys.readouterr().out
    assert (
        "Return visits (assumed): 70% of attempts that end reneged, balked, closed or no_option "
        "try again, gamma delay of mean 2 days, at most 3 attempts per need; unserved counts needs "
        "still unserved after their last attempt."
    ) in printed.split("\n")


def test_returns_serial_and_parallel_give_identical_tables():
    """Same inputs and seed: the same attempts whether replications run serially or in workers."""
    returns = {"probability": 0.7, "delay_days": {"dist": "gamma", "mean": 1, "cv": 0.8}}
    doc = example(**returns)
    serial = simulation.run(doc, replications=2, seed=5, progress=False)
    parallel = simulation.run(doc, replications=2, seed=5, workers=2, progress=False)
    assert (serial.visits["attempt"] > 1).sum() > 100
    pd.testing.assert_frame_equal(serial.visits, parallel.visits)
    pd.testing.assert_frame_equal(serial.kpis, parallel.kpis)


def test_a_robust_world_enters_the_attempt_keys():
    """Worlds of a robust comparison draw independent return attempts (docs/model.md §13.2,
    §14); without a world the key is the plain run's (fault: attempts shared across worlds)."""
    from simulation.engine.returns import attempt_stream

    plain = attempt_stream(7, 0, "hageby", 3, 2).random(4)
    again = attempt_stream(7, 0, "hageby", 3, 2, None).random(4)
    world0 = attempt_stream(7, 0, "hageby", 3, 2, 0).random(4)
    world1 = attempt_stream(7, 0, "hageby", 3, 2, 1).random(4)
    assert (plain == again).all()
    assert not (world0 == world1).any() and not (plain == world1).any()
