"""`servicesim validate` checks scenario, sweep and propose files alike (issue 12, rule 7)."""

from __future__ import annotations

import subprocess
import sys

import yaml

from tests.conftest import EXAMPLES, ROOT

TINY_SWEEP = ROOT / "tests" / "data" / "tiny.sweep.yaml"


def _validate(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_validate_accepts_a_sweep_file_and_summarises_it():
    # fault: `servicesim validate SWEEP` rejected every sweep file (exit 2)
    proc = _validate(TINY_SWEEP)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "sweep tiny: 3 design(s) x 2 level(s) x 3 replication(s) = 18 runs"
    assert "designs: today, more-counters, longer-hours (baseline today)" in lines
    assert lines[-1] == f"# {TINY_SWEEP}: valid sweep file"


def test_validate_accepts_a_propose_file_and_summarises_it():
    # fault: `servicesim validate PROPOSE.yaml` rejected every propose file (exit 2)
    path = EXAMPLES / "norrkoping-propose.yaml"
    proc = _validate(path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("propose norrkoping: base ")
    assert "1 unit(s) (mobile-1)" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1] == f"# {path}: valid propose file"


def test_validate_reports_a_bad_sweep_file_in_one_line(tmp_path):
    # a sweep error is reported as a sweep error (not as "unknown key 'designs'" of a scenario)
    doc = yaml.safe_load(TINY_SWEEP.read_text())
    doc["base"] = str(ROOT / "tests" / "data" / "tiny-base.yaml")
    doc["baseline"] = "nowhere"
    doc["replications"] = 0
    path = tmp_path / "bad.sweep.yaml"
    path.write_text(yaml.safe_dump(doc))
    proc = _validate(path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"error: {path}: replications")
    assert "unknown key 'designs'" not in proc.stderr


def test_validate_still_prints_a_scenario_with_defaults():
    path = ROOT / "tests" / "data" / "tiny-base.yaml"
    proc = _validate(path)
    assert proc.returncode == 0
    assert yaml.safe_load(proc.stdout)["name"] == "tiny-base"
    assert proc.stdout.rstrip().splitlines()[-1] == f"# {path}: valid"
