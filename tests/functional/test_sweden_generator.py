"""The Swedish-scenario generator in ``tools/sweden/`` (issue 13, item 3 and 6's YAML emitter).

Faults covered (each test fails on the one-file ``tools/build_sweden.py`` it replaces):

* the metro office tables were hard-coded Python tuples: they are now read from
  ``data/sweden/offices.csv`` / ``regions.csv``, whose loaders check their columns;
* the generator had its own haversine: distances now come from ``simulation.engine.geography``;
* the YAML was written by a hand-made emitter: it now goes through ruamel.yaml, and the
  generated default region must still equal the committed one in content (and bytes);
* ``national=False`` still built the national locality files (a local variable shadowed the
  argument), so every test here paid for them.

The unedited tables are built once per module (``region_files``): the tests that edit a copy
compare against it, and the committed-files test checks it.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import simulation
from simulation.engine import geography
from tests.conftest import ROOT
from tools.sweden import build, emit, offices, sizing
from tools.sweden.parameters import DETOUR, OFFICES_CSV, REGIONS_CSV, SPEED_KMH
from tools.sweden.tables import TableError

SWEDEN = ROOT / "configs" / "sweden"


def _rewrite(source: Path, target: Path, edit) -> Path:
    """Copy the CSV ``source`` to ``target`` with ``edit(header, rows)`` applied."""
    with source.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    header, rows = edit(header, rows)
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return target


@pytest.fixture(scope="module")
def region_files(tmp_path_factory) -> dict[str, bytes]:
    """The files ``build.build(..., national=False)`` writes from the committed tables, by
    their path relative to the output folder (built once: each build takes seconds)."""
    out = tmp_path_factory.mktemp("sweden-regions")
    written = build.build(out, national=False)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in written}


# Fault: offices were Python constants; now an edited copy of offices.csv changes the output.
def test_editing_a_copy_of_the_offices_table_moves_the_office(tmp_path, region_files):
    def move_kista(header, rows):
        for row in rows:
            if row[1] == "stockholm-kista":
                row[2], row[3] = "Servicekontor Kista (moved)", "59.4100"
        return header, rows

    edited = _rewrite(OFFICES_CSV, tmp_path / "offices.csv", move_kista)
    before = {name: text.decode("utf-8") for name, text in region_files.items()}
    after = build.generate(offices_csv=edited, national=False)
    kista = next(
        s for s in yaml.safe_load(after["stockholm.yaml"])["sites"] if s["id"] == "stockholm-kista"
    )
    assert kista["name"] == "Servicekontor Kista (moved)"
    assert kista["location"]["lat"] == pytest.approx(59.41)
    assert after["stockholm.yaml"] != before["stockholm.yaml"]
    assert after["default/region.yaml"] == before["default/region.yaml"]  # Norrköping: no change


# Fault: regions were a Python tuple; now regions.csv names where a pilot's new office goes.
def test_editing_a_copy_of_the_regions_table_changes_the_pilot(tmp_path):
    def norrkoping_in_navestad(header, rows):
        for row in rows:
            if row[0] == "norrkoping":
                row[2], row[3] = "navestad", "[S] test source"
        return header, rows

    edited = _rewrite(REGIONS_CSV, tmp_path / "regions.csv", norrkoping_in_navestad)
    pilot = yaml.safe_load(
        build.generate(regions_csv=edited, national=False)["norrkoping-pilot.sweep.yaml"]
    )
    site = pilot["designs"]["new-office"]["add"]["sites"][0]
    assert site["id"] == "navestad-office"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda h, r: ([*h[:3], "latitude", *h[4:]], r), "expected the columns"),
        (lambda h, r: (h, [*r, r[0]]), "duplicate office id"),
        (lambda h, r: (h, [[*r[0][:3], "40.0", *r[0][4:]], *r[1:]]), "not in Sweden"),
        (lambda h, r: (h, [[*r[0][:3], "north", *r[0][4:]], *r[1:]]), "not a number"),
    ],
    ids=["renamed-column", "duplicate-id", "outside-sweden", "not-a-number"],
)
def test_offices_loader_validates_the_table(tmp_path, edit, message):
    bad = _rewrite(OFFICES_CSV, tmp_path / "offices.csv", edit)
    with pytest.raises(TableError, match=message) as raised:
        offices.read_offices(bad)
    assert str(bad) in str(raised.value)


def test_region_with_a_municipality_missing_from_areas_csv_is_refused(tmp_path):
    bad = _rewrite(
        REGIONS_CSV,
        tmp_path / "regions.csv",
        lambda h, r: (h, [*r, ["nowhere", "Ingenstans", "", ""]]),
    )
    with pytest.raises(TableError, match="Ingenstans"):
        build.generate(regions_csv=bad, national=False)


def test_command_line_reports_a_bad_table_without_traceback(tmp_path):
    bad = _rewrite(OFFICES_CSV, tmp_path / "offices.csv", lambda h, r: (h[:-1], r))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_sweden.py"), "--out", str(tmp_path / "out")]
        + ["--offices", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


# Fault: the generator had its own great-circle formula; it now uses simulation.engine.geography.
def test_travel_minutes_are_the_models():
    lat1, lon1, lat2, lon2 = 58.41, 15.62, 58.59, 16.19  # Linköping -> Norrköping
    km = geography.great_circle_km(np.array(lat1), np.array(lon1), np.array(lat2), np.array(lon2))
    expected = float(geography.travel_minutes(km, SPEED_KMH, DETOUR))
    assert sizing.travel_minutes(lat1, lon1, lat2, lon2) == expected
    assert "EARTH_RADIUS_KM" not in vars(sizing)


# Fault: the hand-made emitter; ruamel.yaml now writes comments where the paths say.
def test_emitter_writes_comments_and_reads_back():
    doc = {"name": "x", "sites": [{"id": "a", "counters": 2, "hours": ["10:00-16:00"]}], "n": 1.0}
    comments = {("sites", 0, "counters"): "sized", ("n",): "a whole float"}
    text = emit.document(["header line"], doc, comments)
    assert text.splitlines()[0] == "# header line"
    assert "    counters: 2  # sized" in text.splitlines()
    assert "n: 1  # a whole float" in text.splitlines()
    assert '"10:00-16:00"' in text
    assert yaml.safe_load(text) == doc


# Fault: `national = build_national(rows)` shadowed the argument, so national=False was ignored.
def test_region_files_leave_out_the_national_locality_files(region_files):
    assert "national.yaml" in region_files  # the national region file is cheap and always built
    assert not [name for name in region_files if name.startswith("national-")]
    committed = {p.name for p in SWEDEN.glob("national-*.yaml")}
    assert "national-networks.sweep.yaml" in committed  # what national=True adds exists


def test_generated_default_region_equals_the_committed_one(tmp_path, region_files):
    for name in ("region.yaml", "pilot.sweep.yaml"):
        generated = tmp_path / "default" / name
        generated.parent.mkdir(exist_ok=True)
        generated.write_bytes(region_files[f"default/{name}"])
        committed = SWEDEN / "default" / name
        assert generated.read_bytes() == committed.read_bytes(), name
        packaged = ROOT / "simulation" / "data" / "default" / name
        assert packaged.read_bytes() == committed.read_bytes(), name
    region = simulation.load_scenario(tmp_path / "default" / "region.yaml")
    assert (
        region.to_dict() == simulation.load_scenario(SWEDEN / "default" / "region.yaml").to_dict()
    )
    sweep = simulation.load_sweep(tmp_path / "default" / "pilot.sweep.yaml")
    committed_sweep = simulation.load_sweep(SWEDEN / "default" / "pilot.sweep.yaml")
    assert sweep.spec.designs == committed_sweep.spec.designs
