"""The robust comparison recovers a known answer (docs/testing.md, "Robust comparisons").

See :mod:`tests.robust_support`: design ``a`` is best exactly where the residents live south
of latitude 58.05, so the flip point, the probability best (the share of the range on each
side) and the sensitivity (only the latitude matters) are known in advance.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.experiment.robust_analysis import robust_verdict
from simulation.results.sweep_folder import run_sweep
from tests.robust_support import FLIP_LAT, LAT_RANGE, SHARE_BELOW, flip_sweep

LAT = "areas.home.location.lat"
OTHERS = ("behaviour.patience_minutes.value", "areas[*].demand.per_1000_per_year")


@pytest.fixture(scope="module")
def lhs():
    return run_sweep(flip_sweep(worlds=32), workers=1, progress=False).robust


def test_flip_point_is_found_within_the_sampling_resolution(lhs):
    worlds = lhs.worlds
    # the known answer, world by world: a is best exactly south of the flip latitude
    expected = np.where(worlds[LAT] < FLIP_LAT, "a", "b")
    assert list(worlds["best"]) == list(expected)
    assert list(worlds["winner"]) == list(expected)  # deterministic: never a tie
    boxes = lhs.flips
    assert list(boxes["design"]) == ["a", "b"] and list(boxes["share"]) == [1.0, 1.0]
    assert boxes["input_1"].tolist() == [LAT, LAT]
    threshold = float(boxes["high_1"].iloc[0])
    assert threshold == float(boxes["low_1"].iloc[1])
    # within the gap between the two samples around it, at most two strata of the hypercube
    resolution = 2 * (LAT_RANGE[1] - LAT_RANGE[0]) / len(worlds)
    assert abs(threshold - FLIP_LAT) <= resolution / 2
    below = worlds[LAT][worlds[LAT] < FLIP_LAT].max()
    above = worlds[LAT][worlds[LAT] > FLIP_LAT].min()
    assert below < threshold < above


def test_probability_best_is_the_share_of_the_range_on_each_side(lhs):
    table = lhs.robustness.set_index("design")
    # one Latin-hypercube stratum of 32 straddles the flip: the share is exact to 1/32
    assert abs(table.loc["a", "p_best"] - SHARE_BELOW) <= 1 / 32
    assert abs(table.loc["b", "p_best"] - (1 - SHARE_BELOW)) <= 1 / 32
    assert table["p_best"].sum() == pytest.approx(1.0)
    assert (table["p_best"] == table["p_best_or_tie"]).all()
    assert (table["p_best_low"] <= table["p_best"]).all()
    assert (table["p_best"] <= table["p_best_high"]).all()


def test_regret_is_the_travel_difference_to_the_nearer_office(lhs):
    worlds = lhs.worlds
    lat = worlds[LAT].to_numpy()
    # minutes per degree of latitude: the same constant for both offices (60 km/h, detour 1)
    per_degree = worlds["mean:a"].to_numpy() / np.abs(lat - 58.0)
    np.testing.assert_allclose(per_degree, per_degree[0], rtol=1e-9)
    np.testing.assert_allclose(worlds["mean:b"], per_degree[0] * np.abs(lat - 58.1), rtol=1e-9)
    gap = np.abs(worlds["mean:a"] - worlds["mean:b"])
    np.testing.assert_allclose(worlds["regret:a"] + worlds["regret:b"], gap, rtol=1e-12)
    assert (worlds[["regret:a", "regret:b"]].min(axis=1) == 0).all()
    table = lhs.robustness.set_index("design")
    assert table.loc["a", "regret_max"] == pytest.approx(worlds["regret:a"].max())
    assert table.loc["a", "regret_p90"] == pytest.approx(np.percentile(worlds["regret:a"], 90))


def test_latitude_is_the_influential_input(lhs):
    sens = lhs.sensitivity.set_index("input")
    assert set(sens["method"]) == {"delta"}
    # true value 1; SALib estimates S1 on one bootstrap resample of the 32 worlds, which
    # puts it between 0.75 and 0.95 over 200 bootstrap seeds (median 0.89)
    assert sens.loc[LAT, "S1"] > 0.7
    for name in OTHERS:  # true value 0; the binned estimator's bias is ~(bins - 1) / worlds
        assert abs(sens.loc[name, "S1"]) < 0.3
        assert sens.loc[name, "S1"] < sens.loc[LAT, "S1"] - 0.5
    assert lhs.flips["input_1"].iloc[0] == LAT


def test_sobol_indices_of_inputs_without_effect_are_zero():
    robust = run_sweep(flip_sweep(worlds=16, sampler="sobol"), workers=1, progress=False).robust
    assert len(robust.worlds) == 16 * (3 + 2)  # Saltelli's design without second-order terms
    sens = robust.sensitivity.set_index("input")
    assert set(sens["method"]) == {"sobol"}
    for name in OTHERS:  # f(A) = f(AB_i) exactly when input i has no effect
        assert sens.loc[name, "ST"] == pytest.approx(0.0, abs=1e-9)
        assert sens.loc[name, "S1"] == pytest.approx(0.0, abs=1e-9)
    assert sens.loc[LAT, "ST"] == pytest.approx(1.0, abs=0.15)
    share = float((robust.worlds[LAT] < FLIP_LAT).mean())
    assert robust.robustness.set_index("design").loc["a", "p_best"] == pytest.approx(share)


def test_the_verdict_names_the_flip(lhs):
    first, influential = robust_verdict(lhs)
    assert first.startswith("Robust across 32 plausible worlds for travel_mean: b is best in")
    threshold = float(lhs.flips["high_1"].iloc[0])
    assert f"a wins when {LAT} is below {threshold:.3f} (100% of" in first
    assert "in 90% of worlds" in first
    assert influential.startswith(
        f"Most influential inputs (first-order S1, largest over the designs; ± its 95% bootstrap "
        f"half-width): {LAT} "
    )
