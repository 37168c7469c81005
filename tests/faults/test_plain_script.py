"""The Python API from a plain script, and submodules after `import simulation` (issue 12, rule 9)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

TINY_SWEEP = ROOT / "tests" / "data" / "tiny.sweep.yaml"


def test_sweep_from_a_script_without_main_guard(tmp_path):
    # fault: without `if __name__ == "__main__":` every forkserver worker re-ran the script
    # (and its sweep), printed tracebacks, and the sweep returned an empty result
    script = tmp_path / "plain.py"
    script.write_text(
        textwrap.dedent(f"""\
        import simulation
        print("script body ran")
        result = simulation.sweep({str(TINY_SWEEP)!r}, workers=2, replications=1, progress=False)
        print("rows", len(result.replications), "failures", len(result.failures))
    """)
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.splitlines() == ["script body ran", "rows 6 failures 0"]  # the body ran once


def test_run_with_workers_from_a_script_without_main_guard(tmp_path):
    # same fault for the new `simulation.run(..., workers=2)`
    script = tmp_path / "plain_run.py"
    script.write_text(
        textwrap.dedent(f"""\
        import simulation
        result = simulation.run({str(ROOT / "tests" / "data" / "tiny-base.yaml")!r}, replications=2,
                                workers=2, progress=False)
        print("replications", sorted(set(result.visits["replication"])))
    """)
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["replications [0, 1]"]


def test_readme_modules_are_reachable_after_import_simulation():
    # fault: `import simulation; simulation.report.build_report(...)` raised AttributeError
    code = (
        "import sys, simulation\n"
        "assert 'simulation.report.build' not in sys.modules  # import stays lazy\n"
        "print(simulation.report.build_report.__name__, simulation.propose.propose.__name__,\n"
        "      simulation.experiment.analysis.__name__, callable(simulation.sweep))\n"
        "try:\n"
        "    simulation.no_such_module\n"
        "except AttributeError as exc:\n"
        "    print('AttributeError', exc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "build_report propose simulation.experiment.analysis True",
        "AttributeError module 'simulation' has no attribute 'no_such_module'",
    ]
