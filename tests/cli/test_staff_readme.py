"""The README's ``servicesim staff`` block is what the command prints today (line for line)."""

from __future__ import annotations

from simulation.cli.main import main
from tests.cli.test_readme_output import block_after
from tests.conftest import EXAMPLES


def test_staff_prints_the_readme_block(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # results/norrkoping-staffed-staff/ is written here
    argv = [
        "staff",
        str(EXAMPLES / "norrkoping-staffed.yaml"),
        "--target",
        "wait_p80<=15",
        "--target",
        "abandonment<=0.05",
        "-q",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out.rstrip("\n").split("\n")
    expected = block_after("servicesim staff configs/examples/norrkoping-staffed.yaml --target")
    assert printed == expected
    assert (tmp_path / "results" / "norrkoping-staffed-staff" / "staffing.yaml").is_file()
