"""``servicesim build``: writes a valid scenario; bad tables exit 2 with file, row and column."""

from __future__ import annotations

import sys

import yaml

import simulation
from simulation.cli.main import EXIT_BAD_INPUT, main
from tests.build_support import AREAS_CSV, TWO_AREAS, csv_spec, write


def test_build_writes_a_scenario_that_validates(tmp_path, capsys):
    spec = csv_spec(tmp_path)
    out = tmp_path / "built.yaml"
    assert main(["build", str(spec), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed == (
        "built two-areas: 2 area(s) (1 vulnerable), 1 office(s), 0 mobile unit(s); "
        f"47,318 expected needs a year; written to {out}\n"
    )  # 10,070 x 0.5 + 156,603 x 0.27 = 5,035 + 42,282.8
    assert simulation.load_scenario(out) == simulation.load_scenario(TWO_AREAS)
    assert main(["validate", str(out)]) == 0


def test_build_without_out_prints_the_scenario(tmp_path, capsys):
    assert main(["build", str(csv_spec(tmp_path))]) == 0
    printed = capsys.readouterr().out
    assert yaml.safe_load(printed) == simulation.load_scenario(TWO_AREAS).to_dict()
    assert printed.rstrip("\n").splitlines()[-1].startswith("# built two-areas: 2 area(s)")


def test_bad_value_in_row_3_exits_2_with_one_line(tmp_path, capsys):
    areas = AREAS_CSV + "x3,Three,Linköping,12.5,58.4,15.6,no\n"
    out = tmp_path / "built.yaml"
    rc = main(["build", str(csv_spec(tmp_path, areas=areas)), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == EXIT_BAD_INPUT
    assert err == (
        f"error: {tmp_path / 'areas.csv'}: row 3 (line 4), column population: "
        "expected a whole number (got '12.5')\n"
    )
    assert not out.exists()


def test_missing_column_exits_2(tmp_path, capsys):
    spec = csv_spec(tmp_path, areas=AREAS_CSV.replace(",lat,", ",latitude,"))
    assert main(["build", str(spec)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'areas.csv'}: header: missing column 'lat'; ")


def test_polygons_without_the_geo_extra_say_how_to_install(tmp_path, capsys, monkeypatch):
    (tmp_path / "areas.gpkg").write_bytes(b"")  # never opened: the extra is checked first
    spec = write(tmp_path, {}, areas={"file": "areas.gpkg"}, demand={"per_1000_per_year": 270})
    monkeypatch.setitem(sys.modules, "geopandas", None)  # import geopandas -> ImportError
    assert main(["build", str(spec)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err == (
        f"error: {tmp_path / 'areas.gpkg'}: (top level): reading polygons needs the optional geo "
        "extra (geopandas, pyogrio, shapely); install it with: pip install 'servicesim[geo]'\n"
    )


def test_out_may_not_overwrite_the_spec(tmp_path, capsys):
    spec = csv_spec(tmp_path)
    before = spec.read_text(encoding="utf-8")
    assert main(["build", str(spec), "--out", str(spec)]) == EXIT_BAD_INPUT
    assert "--out would overwrite the build spec itself" in capsys.readouterr().err
    assert spec.read_text(encoding="utf-8") == before


def test_readme_build_block_is_what_the_command_prints(tmp_path, capsys, monkeypatch):
    from tests.cli.test_readme_output import ROOT, block_after

    monkeypatch.chdir(tmp_path)
    spec = ROOT / "configs/examples/build/linkoping.build.yaml"
    assert main(["build", str(spec), "--out", "linkoping.yaml"]) == 0
    (expected,) = block_after("`build` prints (real output)")
    assert capsys.readouterr().out == expected + "\n"
    assert main(["run", "linkoping.yaml", "-q", "-r", "1", "--no-report"]) == 0


def test_validate_builds_a_spec_and_run_refuses_it(tmp_path, capsys):
    spec = csv_spec(tmp_path)
    assert main(["validate", str(spec)]) == 0
    printed = capsys.readouterr().out
    assert printed.endswith(f"# {spec}: valid build file\n")
    assert yaml.safe_load(printed) == simulation.load_scenario(TWO_AREAS).to_dict()
    assert main(["run", str(spec), "-q", "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        f"error: {spec}: build: this is a build spec, not a scenario (its areas and sites come "
        "from tables); give it to servicesim build, which writes the scenario\n"
    )
