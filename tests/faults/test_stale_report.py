"""A sweep rerun into a folder never leaves the report of its old tables beside the new ones."""

from __future__ import annotations

from pathlib import Path

from simulation.cli.main import main
from simulation.results.layout import REPORT_FILES

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.sweep.yaml"


def test_rerun_without_report_removes_the_old_report(tmp_path, capsys):
    # fault (QA of issue 12): `sweep --seed 2 --no-report` into a folder with a report of
    # seed 1 left report.md saying "(seed 1)" beside tables and a manifest of seed 2
    out = tmp_path / "s"
    assert main(["sweep", str(TINY), "-r", "2", "--out", str(out), "-q"]) == 0
    assert (out / "report.md").exists() and (out / "figures" / "map.png").exists()
    assert (
        main(["sweep", str(TINY), "-r", "2", "--seed", "2", "--out", str(out), "-q", "--no-report"])
        == 0
    )
    left = [name for name in REPORT_FILES if (out / name).exists()]
    assert left == [], left
    assert main(["report", str(out)]) == 0  # and a new report can be built from the new tables
    assert "seed 2" in (out / "report.md").read_text(encoding="utf-8")
    capsys.readouterr()
