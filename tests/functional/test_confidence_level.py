"""The confidence level of a run travels in its manifest and every text names it.

``simulation.run(level=0.9)`` computes 90% intervals; the run folder's manifest records the
level, the report's findings, table captions and provenance and the terminal summary table
all say 90%, and none says 95%.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import simulation
from simulation.cli.summary_table import format_summary
from simulation.report.build import build_report
from simulation.results.read import DEFAULT_CONFIDENCE, load_results
from simulation.results.run_folder import write_run

DATA = Path(__file__).resolve().parents[1] / "data"

# every way a text names an interval's level: "90% CI", "(90% confidence interval)"
NAMED_LEVEL = re.compile(r"(\d+(?:\.\d+)?%) (?:CI|confidence interval)")


@pytest.fixture(scope="module")
def result_90() -> simulation.RunResult:
    return simulation.run(DATA / "tiny-base.yaml", replications=3, level=0.9, progress=False)


@pytest.fixture(scope="module")
def folder_90(result_90, tmp_path_factory) -> Path:
    folder = write_run(result_90, tmp_path_factory.mktemp("level") / "run")
    build_report(folder)
    return folder


def test_the_run_result_keeps_its_level(result_90) -> None:
    assert result_90.level == 0.9
    at_95 = simulation.run(DATA / "tiny-base.yaml", replications=3, progress=False)
    assert at_95.level == 0.95
    narrow, wide = result_90.kpi("wait_mean"), at_95.kpi("wait_mean")
    assert narrow["mean"] == wide["mean"]
    assert narrow["ci_high"] - narrow["ci_low"] < wide["ci_high"] - wide["ci_low"]


def test_the_manifest_records_the_level_and_reading_returns_it(folder_90) -> None:
    manifest = json.loads((folder_90 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["level"] == 0.9
    assert load_results(folder_90).confidence == 0.9


@pytest.mark.parametrize("name", ["report.md", "report.html"])
def test_run_reports_say_90_percent_everywhere_and_never_95(folder_90, name) -> None:
    text = (folder_90 / name).read_text(encoding="utf-8")
    named = NAMED_LEVEL.findall(text)
    # the findings' served share, unserved demand and wait, and the KPI table's caption
    assert len(named) >= 4
    assert set(named) == {"90%"}
    assert "95%" not in text
    assert re.search(r"confidence level(?: \| |</td><td>)0\.9\b", text)  # provenance


def test_the_terminal_table_names_the_level(result_90) -> None:
    table = format_summary(result_90.summary, level=result_90.level)
    assert "wait mean (90% CI) min" in table
    assert "95%" not in table


def test_the_terminal_table_at_95_percent_is_unchanged(result_90) -> None:
    assert "wait mean (95% CI) min" in format_summary(result_90.summary).splitlines()[0]


def test_a_folder_without_a_recorded_level_reads_as_95_percent(folder_90) -> None:
    res = load_results(folder_90)
    res.manifest.pop("level")
    assert res.confidence == DEFAULT_CONFIDENCE == 0.95
