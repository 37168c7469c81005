"""Dotted-path overrides (set/add/remove) and sweep-file validation errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulation.cli.main import EXIT_BAD_INPUT

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.errors import ScenarioError
from simulation.scenario.overrides import apply_changes, set_path
from simulation.scenario.sweep_spec import load_sweep
from tests.conftest import EXAMPLES
from tests.sweep_support import cli, sweep_doc, write_sweep


def override_doc() -> dict[str, Any]:
    return {
        "sites": [
            {"id": "linkoping-city", "counters": 3},
            {
                "id": "mobile-1",
                "schedule": [
                    {"area": "a", "hours": ["10:00-12:00"]},
                    {"area": "b", "hours": ["13:00-15:00"]},
                ],
            },
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


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "sites.linkoping-town.counters",
            "no list item with id or position 'linkoping-town' (ids: linkoping-city, mobile-1)",
        ),
        (
            "sites.2.counters",
            "no list item with id or position '2' (ids: linkoping-city, mobile-1)",
        ),
        (
            "sites.mobile-1.schedule.5.hours",
            "no list item with id or position '5' (positions 0..1)",
        ),
        ("sites..counters", "empty segment in dotted path"),
        (
            "sites.linkoping-city.counters.x",
            "cannot go into a value that is neither a mapping nor a list",
        ),
    ],
)
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
        "add": {
            "sites": [{"id": "new-office", "counters": 1}],
            "errands": [{"id": "f", "share": 0.5}],
        },
        "set": {
            "sites.new-office.counters": 2,
            "sites.linkoping-city.counters": 4,
            "errands.e.share": 0.5,
        },
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
        apply_changes(
            override_doc(), {"remove": {"sites": ["linkoping-city", "nowhere"]}}, ("designs", "d")
        )
    assert info.value.path == ("designs", "d", "remove", "sites", 1)
    assert info.value.value == "nowhere"
    assert "no sites item with this id to remove" in info.value.message


def bad_sweeps() -> list[tuple[str, dict[str, Any], str, tuple[Any, ...], str]]:
    """(case, sweep document, rendered path, path tuple, text in the message)."""

    def designs(**more: Any) -> dict[str, Any]:
        return {"today": {}, **more}

    return [
        (
            "design-key-typo",
            sweep_doc(designs=designs(more={"sett": {"sites.city.counters": 3}})),
            "designs.more.sett",
            ("designs", "more", "sett"),
            "unknown key 'sett'",
        ),
        (
            "unknown-site-id",
            sweep_doc(designs=designs(more={"set": {"sites.town.counters": 3}})),
            "designs.more.set.sites.town.counters",
            ("designs", "more", "set", "sites.town.counters"),
            "no list item with id or position 'town' (ids: city)",
        ),
        (
            "invalid-design-scenario",
            sweep_doc(designs=designs(more={"set": {"sites.city.counters": 0}})),
            "designs.more.sites[0].counters",
            ("designs", "more", "sites", 0, "counters"),
            "design 'more': input should be greater than or equal to 1 (got 0)",
        ),
        (
            "remove-unknown",
            sweep_doc(designs=designs(more={"remove": {"sites": ["town"]}})),
            "designs.more.remove.sites[0]",
            ("designs", "more", "remove", "sites", 0),
            "no sites item with this id to remove (got 'town')",
        ),
        (
            "factor-unknown-id",
            sweep_doc(factors={"sites.town.counters": [1, 2]}),
            "factors.sites.town.counters",
            ("factors", "sites.town.counters"),
            "(ids: city)",
        ),
        (
            "factor-through-value",
            sweep_doc(factors={"behaviour.patience_minutes.mean.x": [1]}),
            "factors.behaviour.patience_minutes.mean.x",
            ("factors", "behaviour.patience_minutes.mean.x"),
            "cannot go into a value that is neither a mapping nor a list",
        ),
        (
            "factor-invalid-level",
            sweep_doc(factors={"sites.city.counters": [2, 0]}),
            "designs.today.sites[0].counters",
            ("designs", "today", "sites", 0, "counters"),
            "design 'today' at counters=0",
        ),
        ("no-designs", sweep_doc(designs={}), "designs", ("designs",), "at least 1 item"),
        (
            "bad-kpi",
            sweep_doc(kpis=["wait mean"]),
            "kpis[0]",
            ("kpis", 0),
            "expected 'kpi' or 'kpi@scope:id'",
        ),
        (
            "missing-base",
            {"name": "x", "base": "nope.yaml", "designs": {"a": {}}},
            "base",
            ("base",),
            "cannot read file",
        ),
        (
            "base-and-scenario",
            sweep_doc(base="tiny-base.yaml"),
            "(top level)",
            (),
            "give exactly one of 'base'",
        ),
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
    assert (
        str(info.value) == f"{sweep}: baseline: not one of the designs (today, more) (got 'tody')"
    )


def test_typo_in_sweep_keys_suggests_sweep_vocabulary(tmp_path):
    """BUG: suggestions come from the scenario vocabulary only: ``sett`` → 'start',
    ``replicatons`` → 'location', instead of 'set' and 'replications'."""
    sweep = write_sweep(
        tmp_path / "bad.sweep.yaml",
        sweep_doc(designs={"today": {}, "more": {"sett": {"sites.city.counters": 3}}}),
    )
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


@pytest.mark.parametrize(
    "case",
    bad_sweeps()[:7] + [("baseline", sweep_doc(baseline="tody"), "", (), "")],
    ids=[c[0] for c in bad_sweeps()[:7]] + ["baseline"],
)
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
    rc, _, stderr = cli(
        capsys, "sweep", str(tmp_path / "absent.sweep.yaml"), "--out", str(tmp_path / "o")
    )
    assert rc == EXIT_BAD_INPUT
    assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_example_pilot_sweep_resolves():
    sweep = load_sweep(EXAMPLES / "norrkoping-pilot.sweep.yaml")
    assert sweep.spec.baseline_design == "fixed"
    assert sweep.seed == 2023
    assert [(d, lbl) for d, lbl, _, _ in sweep.cells] == [
        (d, f"delay_minutes_per_day={v}")
        for d in ("fixed", "mobile", "new-office")
        for v in (15, 30)
    ]
    by = {(d, lbl): s for d, lbl, _, s in sweep.cells}
    new = by[("new-office", "delay_minutes_per_day=30")]
    assert {s.id: s.counters for s in new.sites} == {"norrkoping-city": 7, "hageby-office": 2}
    assert new.behaviour.delay_minutes_per_day == 30
    fixed = by[("fixed", "delay_minutes_per_day=15")]
    assert [s.id for s in fixed.sites] == ["norrkoping-city"]
    assert fixed.sites[0].counters == 8
    assert [s.id for s in by[("mobile", "delay_minutes_per_day=15")].sites] == [
        "norrkoping-city",
        "mobile-1",
    ]
