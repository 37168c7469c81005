"""A file given to the wrong command, or an absurd number, gets a message that says what to do.

Found by a fault-injection pass after issue 12: ``sweep SCENARIO`` said ``calendar: unknown key
'calendar'; did you mean 'scenario'?``, and ``-r`` with 5,000 digits echoed all of them in an
error that called the number not whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", str(DATA / "tiny-base.yaml")], "this is a scenario file, not a sweep file"),
        (["propose", str(DATA / "tiny-base.yaml")], "this is a scenario file, not a propose file"),
        (["propose", str(DATA / "tiny.sweep.yaml")], "this is a sweep file, not a propose file"),
    ],
)
def test_file_of_another_kind_names_its_command(capsys, argv, message):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and message in err and "give it to servicesim" in err, err
    assert out == ""  # nothing printed before the refusal (propose's banner comes after)


def test_a_number_with_thousands_of_digits_is_not_echoed(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(DATA / "tiny-base.yaml"), "-r", "9" * 5000])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "at most 30 digits, got one of 5,000 digits" in err and "9999999999" not in err
    assert len(err) < 1000
