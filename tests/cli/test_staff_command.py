"""``servicesim staff``: the result folder, the paste-ready block that validates and runs, the
same result for any number of workers, a sweep design and mobile stops, and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

import simulation
from simulation.cli.main import EXIT_BAD_INPUT, main
from simulation.results.manifest import read_manifest
from tests.conftest import EXAMPLES, ROOT

TINY = ROOT / "tests" / "data" / "tiny-base.yaml"
TINY_SWEEP = ROOT / "tests" / "data" / "tiny.sweep.yaml"


def _paste(scenario_doc: dict, staffing_file: Path) -> dict:
    """The scenario with each site's key replaced by the one in ``staffing.yaml``."""
    pasted = yaml.safe_load(staffing_file.read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in scenario_doc["sites"]}
    for block in pasted["sites"]:
        site = by_id[block["id"]]
        for key, value in block.items():
            if key != "id":
                site[key] = value
    return scenario_doc


def test_staff_writes_a_folder_whose_block_validates_and_runs(tmp_path, capsys):
    out = tmp_path / "staffed"
    args = [
        "staff",
        str(TINY),
        "-t",
        "wait_p80<=20",
        "-t",
        "abandonment<=0.1",
        "-r",
        "4",
        "--out",
        str(out),
        "-q",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "every period meets its targets on fresh replications: yes" in printed
    assert "staffing:" in printed and f"results written to {out}/" in printed
    for name in (
        "staffing.yaml",
        "staffing.csv",
        "staff_hours.csv",
        "steps.csv",
        "summary.json",
        "report.md",
        "report.html",
        "figures/staffing-city.png",
        "manifest.json",
    ):
        assert (out / name).is_file(), name
    manifest = read_manifest(out)
    assert manifest["kind"] == "staff" and "staffing.csv" in manifest["checksums"]
    table = pd.read_csv(out / "staffing.csv")
    assert len(table) == 30 and set(table["met"]) == {"yes"}  # mon-fri x 6 hours
    assert {"within_20min", "within_20min_lcb", "abandonment", "abandonment_ucb"} <= set(
        table.columns
    )
    assert (table["within_20min_lcb"] >= 0.8).all() and (table["abandonment_ucb"] <= 0.1).all()
    assert "<img" in (out / "report.html").read_text(encoding="utf-8")

    # the block pasted into the scenario validates and runs, and staffs the proposed hours
    doc = _paste(yaml.safe_load(TINY.read_text(encoding="utf-8")), out / "staffing.yaml")
    scenario = simulation.load_scenario(doc)
    result = simulation.run(scenario, replications=1, progress=False)
    hours = pd.read_csv(out / "staff_hours.csv")
    assert result.kpi("staff_hours_per_week", "site", "city")["mean"] == pytest.approx(
        hours["staff_hours_proposed"].iloc[0]
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["verified"] is True and summary["targets"] == [
        "wait_p80<=20",
        "abandonment<=0.1",
    ]
    # same command again replaces the folder (a staff folder), byte-identical tables
    before = (out / "staffing.csv").read_bytes()
    assert main(args) == 0
    assert (out / "staffing.csv").read_bytes() == before


def test_workers_give_the_same_staffing(tmp_path):
    kwargs = dict(targets=["wait_p80<=20"], replications=4, seed=3, write=False)
    serial = simulation.staff.staff(TINY, **kwargs)
    parallel = simulation.staff.staff(TINY, workers=2, **kwargs)
    assert serial.search.counts == parallel.search.counts
    pd.testing.assert_frame_equal(serial.periods, parallel.periods)


def test_a_sweep_design_and_mobile_stops(tmp_path):
    design = simulation.staff.staff(
        _no_factor_sweep(tmp_path),
        ["wait_p80<=20"],
        design="longer-hours",
        replications=3,
        write=False,
    )
    assert {p.start for p in design.layout.periods} >= {540.0, 960.0}  # 09:00-17:00 of the design
    mobile = simulation.staff.staff(
        EXAMPLES / "norrkoping-mobile.yaml",
        ["wait_p80<=15"],
        sites=["mobile-1"],
        replications=3,
        write=False,
    )
    (block,) = mobile.blocks
    assert block["id"] == "mobile-1" and all("counters" in stop for stop in block["schedule"])
    doc = yaml.safe_load((EXAMPLES / "norrkoping-mobile.yaml").read_text(encoding="utf-8"))
    unit = next(s for s in doc["sites"] if s["id"] == "mobile-1")
    unit["schedule"] = block["schedule"]
    simulation.load_scenario(doc)  # the stops with their counters validate


def _no_factor_sweep(tmp_path: Path) -> Path:
    doc = yaml.safe_load(TINY_SWEEP.read_text(encoding="utf-8"))
    doc.pop("factors")
    doc["base"] = str(TINY)
    path = tmp_path / "nofactors.sweep.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-t", "wait_p80>=15"], "argument --target/-t: expected KPI<=VALUE"),
        (["-t", "abandonment<=2"], "abandonment is a share"),
        (["-t", "wait_p80<=15", "--granularity", "45"], "argument --granularity: invalid choice"),
        (["-t", "wait_p80<=15", "--confidence", "1.5"], "expected 0.5 <= confidence < 1"),
        (["-t", "wait_p80<=15", "--replications", "0"], "expected at least 1"),
    ],
)
def test_bad_options_exit_2(extra, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["staff", str(TINY), *extra])
    assert exit_info.value.code == EXIT_BAD_INPUT
    assert message in capsys.readouterr().err


def test_a_missing_target_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["staff", str(TINY)])
    assert exit_info.value.code == EXIT_BAD_INPUT
    assert "--target" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--design", "x"],
            f"error: {TINY}: --design: needs a sweep file; this is a scenario (got 'x')",
        ),
        (
            ["--site", "nowhere"],
            f"error: {TINY}: --site: not a site of the scenario (city) (got 'nowhere')",
        ),
        (
            ["--min-counters", "5", "--max-counters", "2"],
            f"error: {TINY}: --max-counters: must be at least --min-counters (got 2)",
        ),
    ],
)
def test_bad_input_prints_one_error_line_and_exits_2(extra, message, tmp_path, capsys):
    status = main(["staff", str(TINY), "-t", "wait_p80<=15", "--out", str(tmp_path / "o"), *extra])
    err = capsys.readouterr().err
    assert status == EXIT_BAD_INPUT
    assert err.strip() == message
    assert not (tmp_path / "o").exists()


def test_sweep_errors_exit_2(tmp_path, capsys):
    status = main(["staff", str(TINY_SWEEP), "-t", "wait_p80<=15", "--out", str(tmp_path / "o")])
    assert status == EXIT_BAD_INPUT
    assert "factors: staff takes one scenario" in capsys.readouterr().err
    status = main(
        ["staff", str(_no_factor_sweep(tmp_path)), "-t", "wait_p80<=15", "--design", "nope"]
    )
    assert status == EXIT_BAD_INPUT
    assert (
        "--design: not one of the designs (today, more-counters, longer-hours) (got 'nope')"
        in capsys.readouterr().err
    )


def test_a_folder_servicesim_did_not_write_is_refused(tmp_path, capsys):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep", encoding="utf-8")
    assert main(["staff", str(TINY), "-t", "wait_p80<=15", "--out", str(foreign)]) == EXIT_BAD_INPUT
    assert "refusing to write here" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_a_target_out_of_reach_is_reported_not_hidden(tmp_path, capsys):
    out = tmp_path / "capped"
    argv = [
        "staff",
        str(TINY),
        "-t",
        "wait_p80<=5",
        "--max-counters",
        "1",
        "-r",
        "3",
        "--out",
        str(out),
        "-q",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "every period meets its targets on fresh replications: no" in printed
    assert "(the raise iteration did not converge)" in printed
    table = pd.read_csv(out / "staffing.csv")
    assert set(table["counters"]) == {1} and "no" in set(table["met"])
    assert "NO (see staffing.csv)" in (out / "staffing.yaml").read_text(encoding="utf-8")
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["verified"] is False


def test_same_days_gives_one_pattern_for_days_with_the_same_hours():
    result = simulation.staff.staff(
        TINY, ["wait_p80<=20"], replications=3, same_days=True, write=False
    )
    (block,) = result.blocks
    assert list(block["staffing"]) == ["mon-fri"]  # one key: the same windows every weekday
    assert len(result.layout.variables) == 6 and len(result.layout.periods) == 30
    assert result.search.verified
