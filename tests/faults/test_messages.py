"""Error messages (issue 12, rule 8): every bad input gives `error: <file>: <path>: <message>
(got <value>)` with exit 2 and no traceback, names the real path, and never echoes a file's
contents beyond the offending field."""

from __future__ import annotations

from simulation.scenario.errors import Described, ScenarioError
from tests.faults.h3_inputs import DATA, assert_one_error, run_cli, run_subprocess, tiny, write_yaml

TINY = (DATA / "tiny-base.yaml").read_text(encoding="utf-8")
PASSWD = "admin1:x:0:0:admin1:/home/admin1:/bin/bash\nsvcuser:x:1:1:svcuser:/usr/sbin:/usr/sbin/nologin\n"


def test_invalid_date_is_reported_at_its_path(tmp_path, capsys):
    # covers: `start: 2023-02-30` was reported at "(top level)"
    path = tmp_path / "date.yaml"
    path.write_text(TINY.replace("2023-01-02", "2023-02-30"), encoding="utf-8")
    rc, _, err = run_cli(capsys, "validate", path)
    assert_one_error(
        rc,
        err,
        f"error: {path}: calendar.start: invalid date at line 3: day is out of range for "
        "month (got '2023-02-30')",
    )
    assert "(top level)" not in err


def test_invalid_date_inside_a_list_is_reported_at_its_path(tmp_path, capsys):
    # covers: dates of a mobile stop were reported at "(top level)" too
    text = TINY + (
        "  - id: bus\n    kind: mobile\n    counters: 1\n    schedule:\n"
        "      - {area: north, dates: [2023-01-03, 2023-13-01], hours: ['10:00-12:00']}\n"
    )
    path = tmp_path / "dates.yaml"
    path.write_text(TINY.replace("travel:", text[len(TINY) :] + "travel:", 1), encoding="utf-8")
    rc, _, err = run_cli(capsys, "validate", path)
    assert_one_error(
        rc, err, "sites[1].schedule[0].dates[1]: invalid date at line 22", "(got '2023-13-01')"
    )


def test_five_thousand_digit_integer_gets_the_usual_form(tmp_path, capsys):
    # covers: a 5000-digit integer gave advice about sys.set_int_max_str_digits()
    path = tmp_path / "big.yaml"
    path.write_text(TINY.replace("seed: 11", "seed: " + "9" * 5000), encoding="utf-8")
    rc, _, err = run_cli(capsys, "validate", path)
    line = assert_one_error(
        rc,
        err,
        f"error: {path}: seed: integer at line 4 has too many digits to be read "
        "(got <a number with about 5000 digits>)",
    )
    assert "set_int_max_str_digits" not in line
    assert len(line) < 300


def test_described_values_print_as_their_description():
    # covers: values that cannot be printed had no form of their own
    error = ScenarioError(
        "too long", ("seed",), Described("<a number with about 5000 digits>"), "s.yaml"
    )
    assert str(error) == "s.yaml: seed: too long (got <a number with about 5000 digits>)"


def test_matrix_errors_do_not_echo_the_file(tmp_path, capsys):
    # covers: a matrix error echoed the file's first line (e.g. of /etc/passwd)
    (tmp_path / "matrix.csv").write_text(PASSWD, encoding="utf-8")
    path = write_yaml(tmp_path / "scenario.yaml", tiny(travel={"matrix": "matrix.csv"}))
    rc, _, err = run_cli(capsys, "validate", path)
    line = assert_one_error(
        rc,
        err,
        "travel.matrix: line 1 of the travel matrix must be the header "
        "'area,site,minutes' (columns in any order; missing area, site, minutes, 1 other column)",
    )
    assert "admin1" not in line and "bash" not in line and "svcuser" not in line
    (tmp_path / "matrix.csv").write_text(
        "area,site,minutes\nnorth,city,10,admin1:x:0:0:secret\n", encoding="utf-8"
    )
    rc, _, err = run_cli(capsys, "validate", path)
    line = assert_one_error(rc, err, "line 2: expected 3 fields (area,site,minutes), found 4")
    assert "secret" not in line


def test_office_without_opening_hours_is_a_load_time_error(tmp_path):
    # covers: `opening_hours: {}` ended in "KeyError: 'utilisation'" after the run
    doc = tiny()
    doc["sites"][0]["opening_hours"] = {}
    path = write_yaml(tmp_path / "closed.yaml", doc)
    done = run_subprocess("run", path, "-r", "1", "--out", tmp_path / "out")
    assert_one_error(
        done.returncode,
        done.stderr,
        f"{path}: sites[0].opening_hours: an office must be open at some time",
        "'always'",
        "(got {})",
    )
    # days listed with no windows are an explicit choice (an office closed all week): it validates
    doc["sites"][0]["opening_hours"] = {"mon": [], "tue-fri": []}
    path = write_yaml(tmp_path / "closed.yaml", doc)
    done = run_subprocess("validate", path)
    assert done.returncode == 0, done.stderr


def test_office_closed_on_every_day_of_a_short_calendar_runs(tmp_path, capsys):
    # covers: an office open on weekdays in a one-day Sunday calendar crashed with KeyError: 'utilisation'
    doc = tiny(calendar={"start": "2023-01-01", "days": 1})
    path = write_yaml(tmp_path / "sunday.yaml", doc)
    rc, out, err = run_cli(capsys, "run", path, "-r", "1", "--out", tmp_path / "out", "--no-report")
    assert rc == 0, err
    assert "Traceback" not in err


def test_error_in_a_sweeps_base_keeps_its_inner_path(tmp_path, capsys):
    # covers: an error inside the base scenario lost its path ("base: invalid YAML value: ...")
    (tmp_path / "base.yaml").write_text(TINY.replace("2023-01-02", "2023-02-30"), encoding="utf-8")
    sweep = write_yaml(
        tmp_path / "s.sweep.yaml", {"name": "s", "base": "base.yaml", "designs": {"a": {}}}
    )
    rc, _, err = run_cli(capsys, "sweep", sweep, "--out", tmp_path / "out")
    assert_one_error(
        rc, err, f"{sweep}: base: calendar.start: invalid date at line 3", "(got 'base.yaml')"
    )
