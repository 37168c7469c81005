"""``python -m bench.run_bench --quick`` runs and writes every section of its report."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_bench_quick_runs(tmp_path):
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run_bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    for heading in (
        "## Targets",
        "## M/M/4 at load 0.8",
        "with patience",
        "## Scale and demand growth",
        "## Sweep throughput",
        "## Staffing by time of day",
    ):
        assert heading in text
    assert "CHECK FAILED" not in text
