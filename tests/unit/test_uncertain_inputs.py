"""The ``uncertain:`` block of sweep files: paths, groups, ranges checked at load, sampling,
and the world in the stream and run keys (docs/model.md §14)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulation.engine.streams import Streams, stream
from simulation.experiment.identity import run_key
from simulation.scenario.errors import ScenarioError
from simulation.scenario.sweep_spec import load_sweep
from simulation.scenario.uncertain import UncertainSpec, sample_worlds
from tests.robust_support import flip_sweep
from tests.sweep_support import cli, write_sweep


def _two_areas(**inputs) -> dict:
    doc = flip_sweep(worlds=4)
    doc["scenario"]["areas"].append(
        {"id": "listed", "population": 500, "location": {"lat": 58.06, "lon": 16.0},
         "vulnerable": True, "demand": {"per_1000_per_year": 800}}
    )  # fmt: skip
    doc["uncertain"]["inputs"] = inputs
    return doc


def test_a_group_scale_multiplies_only_the_selected_items():
    sweep = load_sweep(
        _two_areas(
            **{"areas[vulnerable].demand.per_1000_per_year": {"scale": {"low": 0.5, "high": 2}}}
        )
    )
    factors = sweep.worlds.values[:, 0]
    for _, w, scenario in sweep.worlds.cells:
        rates = {a.id: a.demand.per_1000_per_year for a in scenario.areas}
        assert rates["home"] == 500  # not vulnerable: untouched
        assert rates["listed"] == pytest.approx(800 * factors[w])
        assert scenario.name.endswith(f"-world-{w:03d}")


def test_not_flag_and_star_groups_and_whole_numbers_are_rounded():
    sweep = load_sweep(
        _two_areas(
            **{
                "areas[!vulnerable].population": {"scale": {"low": 0.5, "high": 0.9}},
                "sites.office.counters": {"low": 1, "high": 6},
            }
        )
    )
    for _, w, scenario in sweep.worlds.cells:
        pops = {a.id: a.population for a in scenario.areas}
        assert pops["listed"] == 500
        assert pops["home"] == round(2000 * sweep.worlds.values[w, 0])
        assert scenario.sites[0].counters == round(sweep.worlds.values[w, 1])


@pytest.mark.parametrize(
    ("inputs", "path", "message"),
    [
        ({"behaviour.decay.scales": {"low": 1, "high": 2}}, "uncertain.inputs.behaviour.decay.scales",
         "no design's scenario has a number at this path"),
        ({"areas[*].id": {"low": 1, "high": 2}}, "uncertain.inputs.areas[*].id",
         "must be a number"),
        ({"behaviour.patience_minutes.value": {"low": -5, "high": 2}},
         "uncertain.inputs.behaviour.patience_minutes.value.low", "at its low end the scenario of design 'a' is invalid"),
        ({"travel.speed_kmh": {"low": 5, "high": 2}}, "uncertain.inputs.travel.speed_kmh",
         "high (2.0) must be above low (5.0)"),
        ({"travel.speed_kmh": {"scale": {"low": 0, "high": 2}}}, "uncertain.inputs.travel.speed_kmh",
         "a scale factor must be above 0"),
    ],
)  # fmt: skip
def test_bad_inputs_are_refused_at_load_with_the_usual_error(
    tmp_path, capsys, inputs, path, message
):
    doc = flip_sweep(worlds=4)
    doc["uncertain"]["inputs"] = inputs
    sweep = write_sweep(tmp_path / "bad.sweep.yaml", doc)
    rc, out, err = cli(capsys, "validate", str(sweep))
    assert rc == 2, out
    assert err.startswith(f"error: {sweep}: {path}: "), err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"factors": {"travel.speed_kmh": [50, 60]}}, "", "cannot be combined with 'factors'"),
        ({"uncertain": {"sampler": "sobol", "worlds": 12}}, "uncertain", "must be a power of 2"),
        ({"uncertain": {"sampler": "grid", "worlds": 10}}, "uncertain", "whole power"),
        ({"uncertain": {"kpi": "wait_mean"}}, "uncertain.kpi", "not one of the sweep's kpis"),
        ({"uncertain": {"worlds": 1}}, "uncertain.worlds", "greater than or equal to 2"),
    ],
)
def test_bad_blocks_are_refused(change, path, message):
    doc = flip_sweep(worlds=4)
    for key, value in change.items():
        if key == "uncertain":
            doc["uncertain"].update(value)
        else:
            doc[key] = value
    with pytest.raises(ScenarioError) as info:
        load_sweep(doc)
    assert message in str(info.value)
    assert ".".join(str(p) for p in info.value.path).startswith(path)


def test_worlds_stay_in_their_ranges_and_depend_only_on_the_file_seed():
    spec = UncertainSpec.model_validate(flip_sweep(worlds=32)["uncertain"])
    values = sample_worlds(spec, 11)
    assert values.shape == (32, 3)
    for j, (lo, hi) in enumerate(spec.bounds()):
        assert (values[:, j] >= lo).all() and (values[:, j] <= hi).all()
        # Latin hypercube: exactly one world in each of the 32 equal strata of every input
        strata = np.floor((values[:, j] - lo) / (hi - lo) * 32).astype(int)
        assert sorted(strata) == list(range(32))
    np.testing.assert_array_equal(values, sample_worlds(spec, 11))
    assert not np.array_equal(values, sample_worlds(spec, 12))
    grid = UncertainSpec.model_validate(
        {**flip_sweep()["uncertain"], "sampler": "grid", "worlds": 27}
    )
    g = sample_worlds(grid, 11)
    assert g.shape == (27, 3) and len(np.unique(g[:, 0])) == 3
    assert np.unique(g[:, 0])[0] == pytest.approx(57.96 + 0.2 / 6)  # cell midpoints


def test_the_world_enters_the_stream_keys():
    plain = stream(11, 3, "needs/home").random(20)
    np.testing.assert_array_equal(stream(11, 3, "needs/home", None).random(20), plain)
    w0 = stream(11, 3, "needs/home", 0).random(20)
    w1 = stream(11, 3, "needs/home", 1).random(20)
    assert not np.any(w0 == plain) and not np.any(w0 == w1)
    np.testing.assert_array_equal(Streams(11, 3, 1)("needs", "home").random(20), w1)


def test_the_world_enters_the_run_key_and_a_plain_key_is_unchanged():
    code = {"version": "x", "git_commit": None, "source": "y"}
    plain = run_key("{}", 1, 0, {}, code)
    assert run_key("{}", 1, 0, {}, code, world=None) == plain
    assert len({plain, run_key("{}", 1, 0, {}, code, 0), run_key("{}", 1, 0, {}, code, 1)}) == 3


def test_validate_and_run_count_name_the_worlds(tmp_path, capsys, monkeypatch):
    sweep = write_sweep(tmp_path / "flip.sweep.yaml", flip_sweep(worlds=32))
    monkeypatch.setenv("SERVICESIM_MAX_RUNS", "100")
    rc, _, err = cli(capsys, "sweep", str(sweep), "--out", str(tmp_path / "out"), "-q")
    assert rc == 2
    assert "uncertain.worlds" in err and "32 world(s) x 2 replication(s)" in err


def test_validate_names_the_worlds_and_inputs(tmp_path, capsys):
    sweep = write_sweep(tmp_path / "flip.sweep.yaml", flip_sweep(worlds=16, sampler="sobol"))
    rc, out, _ = cli(capsys, "validate", str(sweep))
    assert rc == 0
    assert (
        "uncertain: 2 design(s) x 80 world(s) (sobol) x 2 replication(s) = 320 more runs, "
        "for travel_mean; inputs: areas.home.location.lat, behaviour.patience_minutes.value, "
        "areas[*].demand.per_1000_per_year"
    ) in out.split("\n")


def test_worlds_option_resamples_and_needs_a_block(tmp_path, capsys):
    sweep = write_sweep(tmp_path / "flip.sweep.yaml", flip_sweep(worlds=32))
    out = tmp_path / "out"
    rc, printed, _ = cli(
        capsys, "sweep", str(sweep), "--out", str(out), "--worlds", "4", "-q", "--no-report"
    )
    assert rc == 0
    assert "robust: 4 world(s) x 2 replication(s)" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["uncertain"]["worlds"] == 4 and manifest["runs"] == 2 * 2 + 2 * 4 * 2
    plain = flip_sweep()
    del plain["uncertain"]
    bare = write_sweep(tmp_path / "plain.sweep.yaml", plain)
    rc, _, err = cli(capsys, "sweep", str(bare), "--out", str(tmp_path / "p"), "--worlds", "4")
    assert rc == 2
    assert err.startswith(f"error: {bare}: uncertain: --worlds needs an 'uncertain:' block")
