"""Names that become file names (issue 12, rule 5) are safe slugs that never collide.

Today a factor value with ``/`` fails only after every run has finished (the kept visit
table's path has a ``/`` in it), and ``a/b`` and ``a-b`` give the same scenario file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from simulation.cli.main import main
from simulation.results.read import load_results
from simulation.scenario.names import SAFE, is_slug, slug
from simulation.scenario.sweep_spec import _cell_name, load_sweep

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("text", ["tiny-today", "a_b", "a-b", "A.1", "x" * 100])
def test_safe_names_are_kept(text):
    # fault: none; an already safe name must not change (existing file names stay)
    assert slug(text) == text and is_slug(text)


@pytest.mark.parametrize(
    "text",
    [
        "a/b",
        "a\\b",
        "../etc",
        ".hidden",
        "-x",
        "_x",
        "a b",
        "mean=20,x=y",
        "é",
        "$\\alpha$",
        "a\0b",
        "",
        "/",
        "x" * 101,
        "CON:",
        "a" * 300 + "/",
    ],
)
def test_unsafe_names_become_safe_slugs(text):
    # fault: a name with a separator, a leading dot or dash, spaces, non-ASCII, NUL, or too long
    out = slug(text)
    assert SAFE.match(out) and len(out) <= 100 and "/" not in out and out not in (".", "..")
    assert slug(text) == out  # stable


def test_slugs_do_not_collide():
    # fault: two different names that today's sanitising maps to one file name
    names = [
        "a/b",
        "a_b",
        "a-b",
        "a b",
        "a:b",
        "a\\b",
        "a//b",
        "x" * 101,
        "x" * 102,
        "x" * 100 + "y",
    ]
    assert len({slug(n) for n in names}) == len(names)
    assert _cell_name("s", "d", "v=a/b") != _cell_name("s", "d", "v=a-b")
    long = "k=" + "v" * 120
    assert _cell_name("s", "d", long + "1") != _cell_name("s", "d", long + "2")


def test_slug_length_limit():
    assert len(slug("ä" * 50, max_length=20)) <= 20
    with pytest.raises(ValueError):
        slug("a/b", max_length=5)


def slash_sweep(tmp_path: Path) -> Path:
    doc: dict[str, Any] = {
        "name": "slash",
        "base": str(DATA / "tiny-base.yaml"),
        "seed": 5,
        "replications": 2,
        "kpis": ["wait_mean"],
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "factors": {"description": ["a/b", "a-b", "../x"]},
    }
    path = tmp_path / "slash.sweep.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_factor_value_with_slash_works_end_to_end(tmp_path, capsys):
    # fault: a factor value containing '/' (and one that differs from it only by that '/')
    sweep = slash_sweep(tmp_path)
    out = tmp_path / "out"
    rc = main(["sweep", str(sweep), "--workers", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert (out / "report.html").exists()
    names = {p.name for p in (out / "scenarios").iterdir()}
    assert len(names) == 2 * 3
    assert all(SAFE.match(n.removesuffix(".yaml")) for n in names)
    assert not (tmp_path / "x").exists()
    assert {p.parent for p in out.rglob("*") if p.is_file()} <= {
        out,
        out / "scenarios",
        out / "runs",
        out / "visits",
        out / "site_hours",
        out / "figures",
    }
    loaded = load_sweep(sweep)
    for _, label, _, scenario in loaded.cells:
        doc = yaml.safe_load(
            (out / "scenarios" / f"{scenario.name}.yaml").read_text(encoding="utf-8")
        )
        assert doc["description"] == label.split("=", 1)[1]
    res = load_results(out)
    assert res.levels == ["description=a/b", "description=a-b", "description=../x"]
    assert set(res.visits) == {"today", "more"}


def test_sweep_name_from_an_odd_file_name(tmp_path):
    # fault: a sweep file without 'name' whose file name has spaces (the name becomes results/<name>)
    doc = {"base": str(DATA / "tiny-base.yaml"), "replications": 2, "designs": {"today": {}}}
    path = tmp_path / "my sweep (v2).yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    name = load_sweep(path).spec.name
    assert SAFE.match(name) and name.startswith("my-sweep-v2-")
