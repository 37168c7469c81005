"""Verdicts from paired intervals, KPI specifications and their directions."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from simulation.experiment.analysis import (
    verdict,
)

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.sweep_spec import KpiSpec, default_better
from tests.sweep_support import sweep_doc


@pytest.mark.parametrize(
    ("lo", "hi", "better", "expected"),
    [
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
    ],
)
def test_verdict(lo, hi, better, expected):
    assert verdict(lo, hi, better) == expected


def test_kpi_spec_parsing():
    spec = KpiSpec.model_validate("unserved_per_1000_yr@group:vulnerable")
    assert (spec.kpi, spec.scope, spec.id) == ("unserved_per_1000_yr", "group", "vulnerable")
    assert spec.label == "unserved_per_1000_yr@group:vulnerable"
    assert spec.direction == "lower"
    plain = KpiSpec.model_validate(" served_share ")
    assert (plain.kpi, plain.scope, plain.id, plain.label) == (
        "served_share",
        "overall",
        "all",
        "served_share",
    )
    assert plain.direction == "higher"
    site = KpiSpec.model_validate("utilisation@site:linkoping-city")
    assert (site.scope, site.id) == ("site", "linkoping-city")
    forced = KpiSpec.model_validate({"kpi": "wait_mean", "better": "higher"})
    assert forced.direction == "higher"
    for bad in ("wait mean", "wait_mean@group", "wait_mean@grp:x", "Wait_Mean"):
        with pytest.raises(ValidationError):
            KpiSpec.model_validate(bad)


@pytest.mark.parametrize(
    ("kpi", "better"),
    [
        ("wait_mean", "lower"),
        ("wait_p90", "lower"),
        ("unserved_per_1000_yr", "lower"),
        ("unserved_balked", "lower"),
        ("overtime_hours", "lower"),
        ("staff_hours_per_week", "lower"),
        ("travel_mean", "lower"),
        ("deferral_mean", "lower"),
        ("pending", "lower"),
        ("served_share", "higher"),
        ("within_15", "higher"),
        ("utilisation", "higher"),
        ("served", "higher"),
    ],
)
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
    assert list(result.replications.columns[:5]) == [
        "design",
        "level",
        "replication",
        "wait_mean",
        "served_share",
    ]
