"""Report wording: the effect sentence of a paired comparison, and Markdown escaping."""

from __future__ import annotations

import pytest

from simulation.report.findings import _effect as effect
from simulation.report.rendering import md_escape


@pytest.mark.parametrize(
    ("diff", "lo", "hi", "expected"),
    [
        (-31.0, -38.0, -24.0, "reduces unserved demand in vulnerable areas by 31% (95% CI 24–38%)"),
        (12.0, 5.0, 19.0, "increases unserved demand in vulnerable areas by 12% (95% CI 5–19%)"),
        (
            -3.0,
            -9.0,
            3.0,
            "shows no clear difference in unserved demand in vulnerable areas (−3.0%; 95% CI −9.0% to +3.0%)",
        ),
        (
            40.0,
            40.0,
            40.0,
            "increases unserved demand in vulnerable areas by 40% (+40.0 needs per 1,000 residents per year in every replication)",
        ),
    ],
)
def test_effect_words(diff, lo, hi, expected):
    row = {
        "kpi": "unserved_per_1000_yr@group:vulnerable",
        "baseline_mean": 100.0,
        "diff_mean": diff,
        "ci_low": lo,
        "ci_high": hi,
        "interval_level": 0.95,
    }
    assert "".join(t for _, t in effect(row)) == expected


def test_markdown_escape():
    assert md_escape("a_b *c* [d](e) <f> | #g & h") == r"a\_b \*c\* \[d\](e) \<f\> \| \#g \& h"
    assert md_escape("- not a list\nsecond line") == r"\- not a list second line"
