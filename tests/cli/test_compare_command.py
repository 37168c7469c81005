"""``servicesim compare``: the comparison table of a sweep folder."""

from __future__ import annotations

from simulation.cli.comparison_table import format_comparison
from simulation.cli.main import EXIT_BAD_INPUT

# ``simulation.sweep`` is the ``run_sweep`` function (the package's API alias), so reach the
# module through ``sys.modules``.
from simulation.results.sweep_folder import read_comparison
from tests.sweep_support import cli, sweep_doc, write_sweep


def test_cli_compare_prints_the_table(serial_tiny, capsys):
    rc, stdout, stderr = cli(capsys, "compare", str(serial_tiny))
    assert rc == 0
    assert stderr == ""
    assert stdout == format_comparison(read_comparison(serial_tiny)) + "\n"
    lines = stdout.splitlines()
    assert lines[0].split() == [
        "design",
        "level",
        "kpi",
        "baseline",
        "design",
        "mean",
        "difference",
        "(CI)",
        "verdict",
    ]
    body = lines[2:-1]
    assert len(body) == 2 * 2 * 3  # designs other than the baseline x levels x KPIs
    assert {line.split()[0] for line in body} == {"more-counters", "longer-hours"}
    assert {line.split()[1] for line in body} == {"mean=20", "mean=40"}
    row = next(
        line
        for line in body
        if line.startswith("more-counters") and "mean=20" in line and " wait_mean " in line
    )
    assert row.rstrip().endswith("better")
    assert all(
        line.rstrip().endswith(("better", "worse", "no clear difference", "too few replications"))
        for line in body
    )
    assert lines[-1].startswith(
        "intervals: 0.9750 each (bonferroni over 2 comparison(s) per KPI and level)"
    )


def test_cli_compare_without_comparison_exits_2(tmp_path, capsys):
    rc, stdout, stderr = cli(capsys, "compare", str(tmp_path))
    assert rc == EXIT_BAD_INPUT
    assert stdout == ""
    assert (
        stderr == f"error: {tmp_path}: no manifest.json here; is this a servicesim result folder?\n"
    )


def test_compare_single_design_sweep(tmp_path, capsys):
    """BUG: a sweep with one design writes an empty comparison.csv (no header), and
    ``servicesim compare`` on its folder crashes with pandas' EmptyDataError traceback."""
    doc = sweep_doc(designs={"today": {}}, replications=2)
    rc, stdout, _ = cli(
        capsys,
        "sweep",
        str(write_sweep(tmp_path / "one.sweep.yaml", doc)),
        "--workers",
        "1",
        "--out",
        str(tmp_path / "out"),
    )
    assert rc == 0
    assert "(no comparisons: a sweep needs at least two designs)" in stdout
    rc, stdout, _ = cli(capsys, "compare", str(tmp_path / "out"))
    assert rc == 0
    assert "(no comparisons: a sweep needs at least two designs)" in stdout
