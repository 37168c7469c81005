"""``servicesim pilot``: bad pilot files exit 2 with one line; a small run writes the outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from simulation.cli.main import EXIT_BAD_INPUT, main
from tests.pilot_support import pilot_document, write_regions


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "pilot.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _write_other(folder: Path) -> Path:
    path = folder / "other.yaml"
    path.write_text("name: x\nareas: [1, 2]\n", encoding="utf-8")
    return path


def _broken(kind: str, paths: list[Path]) -> tuple[dict[str, Any], str, str]:
    """A broken pilot document, the path the error must name and the value it must show."""
    doc = pilot_document(paths)
    if kind == "misspelt":
        doc["chose"] = doc.pop("choose")
        return doc, "chose", "choose"
    if kind == "choose":
        doc["choose"] = 3
        return doc, "choose", "3"
    if kind == "too_many":
        doc["regions"] = doc["regions"][:1] + doc["regions"][:1]
        doc["choose"] = 2
        return doc, "choose", ""
    if kind == "missing_region":
        doc["regions"][1] = "nowhere.yaml"
        return doc, "regions[1]", "nowhere.yaml"
    if kind == "same_region":  # written as a user would, relative to the pilot file
        doc["regions"] = [Path(r).name for r in doc["regions"]]
        doc["regions"][2] = doc["regions"][0]
        return doc, "regions[2]", "near.yaml"
    if kind == "kpi":
        doc["objective"] = "unserved_needs_per_year@group:vulnerable"
        return doc, "objective", "unserved_needs_per_year"
    if kind == "delta":
        doc["selection"]["indifference"] = -5
        return doc, "selection.indifference", "-5"
    if kind == "no_delta":
        del doc["selection"]["indifference"]
        return doc, "selection.indifference", ""
    if kind == "not_scenario":
        doc["regions"][0] = str(_write_other(paths[0].parent))
        return doc, "regions[0]", "other.yaml"
    if kind == "budget":
        doc["budget"]["windows"] = ["15:00-10:00"]
        return doc, "budget.windows", "15:00-10:00"
    doc["unit"]["errands"] = ["passport"]  # an errand a region does not have
    return doc, "unit.errands[0]", "passport"


@pytest.mark.parametrize(
    "kind",
    [
        "misspelt", "choose", "too_many", "missing_region", "same_region", "kpi", "delta",
        "no_delta", "budget", "errand", "not_scenario",
    ],
)  # fmt: skip
def test_bad_pilot_file_exits_2_with_one_line(tmp_path, capsys, kind):
    paths = write_regions(tmp_path, {"near": 6, "mid": 14, "far": 24})
    doc, where, value = _broken(kind, paths)
    path = _write(tmp_path, doc)
    out = tmp_path / "out"
    rc = main(["pilot", str(path), "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == EXIT_BAD_INPUT == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert lines[0].startswith(f"error: {path}: "), lines[0]
    assert where in lines[0], lines[0]
    assert value in lines[0], lines[0]
    assert captured.out == ""
    assert not out.exists()


def test_pilot_command_writes_the_outputs(tmp_path, capsys):
    paths = write_regions(tmp_path, {"near": 6, "mid": 14, "far": 24})
    path = _write(tmp_path, pilot_document(paths, choose=2))
    out = tmp_path / "out"
    assert main(["validate", str(path)]) == 0
    assert "valid pilot file" in capsys.readouterr().out
    assert main(["pilot", str(path), "--workers", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Run the pilot in Far and Mid:" in text
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    for expected in (
        "ranking.csv", "pilot.md", "manifest.json", "figures/pilot-map.png",
        "figures/pilot-forest.png", "far-pilot-scenario.yaml", "far-pilot.sweep.yaml",
        "mid-pilot-scenario.yaml", "mid-pilot.sweep.yaml",
    ):  # fmt: skip
        assert expected in names, names
    assert "near-pilot.sweep.yaml" not in names
    # the chosen region's sweep file runs as written: baseline and pilot on its base scenario
    sweep = yaml.safe_load((out / "far-pilot.sweep.yaml").read_text(encoding="utf-8"))
    assert set(sweep["designs"]) == {"baseline", "pilot"}
    assert main(["validate", str(out / "far-pilot.sweep.yaml")]) == 0
    assert main(["validate", str(out / "far-pilot-scenario.yaml")]) == 0


def test_the_issue_form_and_the_2022_file_validate(capsys):
    from simulation.scenario.pilot_spec import load_pilot
    from tests.conftest import EXAMPLES, ROOT

    three = load_pilot(EXAMPLES / "pilot-three.yaml")  # regions relative to the file
    assert [r.name for r in three.regions] == ["eskilstuna", "helsingborg", "norrkoping"]
    assert three.spec.choose == 2 and three.spec.selection.indifference == 50
    full = load_pilot(ROOT / "configs" / "sweden" / "pilot-2022.yaml")
    assert {r.name for r in full.regions} == {
        "eskilstuna", "helsingborg", "jonkoping", "linkoping", "norrkoping", "sodertalje",
        "uppsala", "vaxjo", "stockholm", "goteborg", "malmo",
    }  # fmt: skip
    assert len({r.seed for r in full.regions}) == 11  # independent streams per region


@pytest.mark.parametrize(
    ("kwargs", "name"), [({"workers": -3}, "workers"), ({"progress": "yes"}, "progress")]
)
def test_pilot_checks_arguments_before_any_work(kwargs, name):
    import simulation.pilot as p
    from simulation.experiment.arguments import ArgumentError

    with pytest.raises(ArgumentError, match=name):
        p.pilot("no-such-file.yaml", **kwargs)


def test_a_pilot_file_given_to_run_says_which_command_takes_it(capsys):
    """Fault: `run` on a pilot file listed eleven unknown keys instead of naming `pilot`."""
    path = Path(__file__).resolve().parents[2] / "configs" / "sweden" / "pilot-2022.yaml"
    assert main(["run", str(path), "--no-report"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "this is a pilot file" in err[0] and "servicesim pilot" in err[0]
