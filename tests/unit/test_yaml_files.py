"""Reading scenario files: invalid YAML, encodings, Python tags, the top-level shape and
missing files each give one ScenarioError.
"""

from __future__ import annotations

import pytest

from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import scenario_from_dict
from tests.unit.loading_support import error_of


def test_invalid_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncalendar: {start: 2023-01-02, days: [\n", encoding="utf-8")
    err = error_of(path)
    assert err.source == str(path)
    assert err.path == ()
    assert "invalid YAML at line" in err.message
    assert str(err).startswith(f"{path}: ")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: sk\xe4ggetorp\n".encode("latin-1"))
    err = error_of(path)
    assert err.source == str(path)
    assert "not UTF-8" in err.message
    assert "offset 8" in err.message


def test_python_tag_is_rejected_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    for text in (
        f'!!python/object/apply:os.system ["touch {marker}"]\n',
        f'name: x\nseed: !!python/object/apply:os.system ["touch {marker}"]\n',
        '!!python/object/apply:os.system ["echo hi"]\n',
    ):
        path = tmp_path / "evil.yaml"
        path.write_text(text, encoding="utf-8")
        err = error_of(path)
        assert err.source == str(path)
        assert "invalid YAML" in err.message
        assert "python/object/apply" in err.message
    assert not marker.exists()


@pytest.mark.parametrize(
    "text, shown",
    [("- a\n- b\n", "['a', 'b']"), ("hello\n", "'hello'"), ("", "None"), ("42\n", "42")],
)
def test_top_level_not_a_mapping(tmp_path, text, shown):
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    err = error_of(path)
    assert err.path == ()
    assert str(err) == (
        f"{path}: (top level): expected a mapping of scenario keys at the top level (got {shown})"
    )


def test_top_level_not_a_mapping_in_memory():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict([1, 2], None, None)
    assert info.value.source is None
    assert info.value.path == ()
    assert str(info.value).startswith("<scenario>: (top level): expected a mapping")


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    err = error_of(path)
    assert err.source == str(path)
    assert "cannot read file" in err.message
