"""Base documents and default names: a sweep's or propose file's ``base:`` is read by one
function (``scenario.documents.read_base``), and names taken from file names are slugs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.propose.evaluator import Evaluator
from simulation.propose.output import proposed_documents
from simulation.scenario.documents import absolute_matrix, read_base
from simulation.scenario.errors import ScenarioError
from simulation.scenario.names import SAFE, name_from_file, slug
from simulation.scenario.propose_loading import load_propose
from simulation.scenario.sweep_spec import load_sweep
from tests.propose_support import region, spec, write

SWEEP = {"replications": 2, "designs": {"today": {}}}


def _error(load, path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(path)
    return info.value


@pytest.mark.parametrize("kind", ["sweep", "propose"])
@pytest.mark.parametrize(
    ("base", "words"),
    [
        ("missing.yaml", "cannot read file"),
        ("list.yaml", "base scenario is not a mapping"),
        ("bad.yaml", "invalid YAML at line"),
    ],
)
def test_sweep_and_propose_report_a_bad_base_alike(tmp_path: Path, kind: str, base: str, words):
    write(tmp_path, "list.yaml", [1, 2])
    (tmp_path / "bad.yaml").write_text("a: [1\n", encoding="utf-8")
    doc = {"base": base, **SWEEP} if kind == "sweep" else spec(base=base)
    load = load_sweep if kind == "sweep" else load_propose
    err = _error(load, write(tmp_path, f"x.{kind}.yaml", doc))
    assert err.path == ("base",) and err.value == base and words in err.message
    with pytest.raises(ScenarioError) as direct:
        read_base(base, tmp_path)
    assert (direct.value.message, direct.value.path) == (err.message, err.path)


def test_the_matrix_path_is_taken_from_the_base_file_folder(tmp_path: Path):
    (tmp_path / "data").mkdir()
    doc = region()
    doc["travel"] = {**doc["travel"], "matrix": "m.csv"}
    write(tmp_path / "data", "region.yaml", doc)
    (tmp_path / "data" / "m.csv").write_text("area,site,minutes\nfar,office,40\n", encoding="utf-8")
    path, base = read_base("data/region.yaml", tmp_path)
    matrix = str((tmp_path / "data" / "m.csv").resolve())
    assert path == (tmp_path / "data" / "region.yaml").resolve()
    assert base["travel"]["matrix"] == matrix
    sweep = load_sweep(write(tmp_path, "s.yaml", {"base": "data/region.yaml", **SWEEP}))
    propose = load_propose(write(tmp_path, "p.yaml", spec(base="data/region.yaml")))
    assert sweep.base_document["travel"]["matrix"] == matrix
    assert propose.base_document["travel"]["matrix"] == matrix
    inline = load_sweep(write(tmp_path / "data", "inline.yaml", {"scenario": doc, **SWEEP}))
    assert inline.base_document["travel"]["matrix"] == matrix
    assert absolute_matrix({"travel": {"matrix": "/abs/m.csv"}}, tmp_path)["travel"] == {
        "matrix": "/abs/m.csv"
    }


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("north.propose.yaml", "north"),
        ("north-propose.yml", "north"),
        ("plan_v2.yaml", "plan_v2"),
        ("my plan (v2).propose.yaml", slug("my plan (v2)")),
    ],
)
def test_propose_name_from_its_file_name(tmp_path: Path, file: str, name: str):
    write(tmp_path, "region.yaml", region())
    assert load_propose(write(tmp_path, file, spec())).name == name


def test_unnamed_base_scenario_is_named_by_its_file_slug(tmp_path: Path):
    doc = region()
    del doc["name"]
    write(tmp_path, "my region!.yaml", doc)
    loaded = load_propose(write(tmp_path, "p.yaml", spec(base="my region!.yaml")))
    assert loaded.scenario.name == slug("my region!") == name_from_file("my region!.yaml", "x")
    assert SAFE.match(loaded.base_document["name"])


def test_long_names_of_proposed_files_are_slugs(tmp_path: Path):
    """A long name is cut by :func:`slug` (with a hash), no longer by a bare ``[:100]``."""
    write(tmp_path, "region.yaml", region())
    loaded = load_propose(write(tmp_path, "p.yaml", spec(name="n" * 95)))
    evaluator = Evaluator(loaded, workers=1)
    _, sweep = proposed_documents(loaded, evaluator, None, [], 5, tmp_path)
    assert sweep["name"] == slug("n" * 95 + "-proposed") and len(sweep["name"]) == 100
    assert sweep["name"] != ("n" * 95 + "-proposed")[:100]
