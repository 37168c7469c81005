"""The README's "real output" blocks are what the commands print today.

Wall-clock times are the one thing that may differ; everything else must match line for line.
The default pilot comparison takes about half a minute or more, so it is marked slow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulation.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECONDS = re.compile(r"\d+\.\d s$")


def block_after(marker: str) -> list[str]:
    """The lines of the ```text block that follows ``marker`` in the README."""
    start = README.index("```text\n", README.index(marker)) + len("```text\n")
    return README[start : README.index("```", start)].rstrip("\n").split("\n")


def test_two_areas_run_prints_the_readme_block(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # results/two-areas/ is written here, as in the README
    assert main(["run", str(ROOT / "configs/examples/two-areas.yaml"), "-q"]) == 0
    printed = capsys.readouterr().out.rstrip("\n").split("\n")
    expected = block_after("`servicesim run configs/examples/two-areas.yaml` prints (real output)")
    assert [SECONDS.sub("", s) for s in printed] == [SECONDS.sub("", s) for s in expected]


@pytest.mark.slow
def test_default_prints_the_readme_verdict(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "-q", "--no-report"]) == 0
    printed = capsys.readouterr().out.split("\n")
    lines = block_after("What the default prints at the end (real output)")
    assert [line.split(": ")[0] for line in lines] == [
        "Best for unserved_per_1000_yr@group:vulnerable",
        "Robust across 32 plausible worlds for unserved_per_1000_yr@group:vulnerable",
        "Most influential inputs (first-order S1, largest over the designs; ± its 95% bootstrap half-width)",
    ]
    for line in lines:  # the single-world verdict, then the robust verdict across worlds
        assert line in printed


def test_robust_example_prints_the_readme_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sweep = ROOT / "configs/examples/two-offices-robust.sweep.yaml"
    assert main(["sweep", str(sweep), "--workers", "1", "-q", "--no-report"]) == 0
    printed = capsys.readouterr().out.split("\n")
    lines = block_after("servicesim sweep configs/examples/two-offices-robust.sweep.yaml")
    assert len(lines) == 2 and lines[0].startswith("Robust across 32 plausible worlds")
    for line in lines:
        assert line in printed
