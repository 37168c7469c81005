"""Bad input never ends in anything but a ScenarioError (or exit status 2 from the CLI).

Hypothesis mutates valid scenario documents (wrong types, deleted required keys, negative,
NaN, infinite and huge numbers, empty lists, unknown ids, unknown keys, duplicated items)
and corrupts their YAML text (random edits, YAML and Python tags, aliases, bad encodings,
random bytes). For every input:

* ``simulation.load_scenario`` either returns a Scenario or raises ``ScenarioError`` whose
  text names the file (when there is one), the path inside the document and the message;
* a scenario that loads also runs for one day raising nothing else;
* ``servicesim validate FILE`` returns 2 exactly when loading the file fails (0 otherwise),
  with one ``error:`` message on stderr;
* no Python tag is ever executed (a marker file under a fresh temporary folder must not
  appear).

Inputs that load but would generate more than ``MAX_NEEDS_PER_DAY`` needs in one day fail
the property: validation accepts them, and the run cannot complete (numpy refuses a Poisson
mean above ~1e19; below that the arrays exhaust memory or the run takes hours).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import math
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import simulation
from simulation.cli.main import main
from simulation.engine.network import compile_network
from simulation.scenario.errors import ScenarioError, format_path
from simulation.scenario.schema import Scenario
from tests.strategies import scenarios

PROPERTY = settings(
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ]
)
MAX_NEEDS_PER_DAY = 1e7  # accepted demand above this cannot be simulated
RUN_NEEDS_PER_DAY = 5e3  # below this the one-day run is part of the test (keeps it fast)

# ---------------------------------------------------------------------------------------------
# checks


def check_error(err: ScenarioError, source: str | None = None) -> None:
    """The error's text has the file, the path inside the document and the message."""
    text = str(err)
    assert err.message, "empty message"
    assert all(isinstance(p, str | int) for p in err.path), err.path
    assert format_path(err.path) in text and err.message in text, text
    if source is not None:
        assert err.source == source and text.startswith(f"{source}: "), text


def needs_per_day(scenario: Scenario) -> float:
    """Expected number of needs on the first day (all areas)."""
    network = compile_network(scenario)
    return float(sum(r[:24].sum() * 60.0 for r in network.rates))


def one_day(scenario: Scenario) -> Scenario:
    calendar = scenario.calendar.model_copy(update={"days": 1, "warmup_days": 0})
    return scenario.model_copy(update={"calendar": calendar})


def _note(text: str) -> None:
    """``hypothesis.note`` inside a property test; nothing in a plain parametrised test."""
    from hypothesis.control import _current_build_context

    if _current_build_context.value is not None:
        note(text)


def check_loads_and_runs(source: Any, path: str | None = None) -> str:
    """Load; if that succeeds, run one day. Anything but ScenarioError propagates."""
    try:
        scenario = simulation.load_scenario(source)
    except ScenarioError as err:
        _note(f"rejected: {err}")
        check_error(err, path)
        return "rejected"
    short = one_day(scenario)
    try:
        expected = needs_per_day(short)
    except ScenarioError as err:
        check_error(err)
        return "rejected at run"
    _note(f"accepted; {expected:.4g} needs expected on day 1")
    if not expected <= MAX_NEEDS_PER_DAY:
        pytest.fail(
            f"validation accepted a scenario with {expected:.3g} needs per day; "
            "a one-day run cannot complete (demand needs an upper bound)"
        )
    if expected <= RUN_NEEDS_PER_DAY:
        try:
            simulation.run(short, replications=1)
        except ScenarioError as err:
            check_error(err)
            return "rejected at run"
    return "accepted"


def check_cli(path: Path) -> int:
    """``servicesim validate PATH`` exits 2 exactly when loading fails, with one message."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(path)])
    try:
        simulation.load_scenario(path)
        expected = 0
    except ScenarioError:
        expected = 2
    assert code == expected, (code, err.getvalue())
    if code == 2:
        message = err.getvalue()
        assert message.startswith(f"error: {path}: "), message
        assert "Traceback" not in message
    else:
        assert out.getvalue().rstrip().endswith(": valid")
    return code


# ---------------------------------------------------------------------------------------------
# mutations of valid documents


def _nodes(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths to every value inside ``doc`` (dict keys and list indices)."""
    out = []
    if isinstance(doc, dict):
        items = doc.items()
    elif isinstance(doc, list):
        items = enumerate(doc)
    else:
        return out
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_nodes(value, (*prefix, key)))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


HUGE_INTS = st.sampled_from([2**63, 10**30, 10**400, 10**5000, -(10**30)])
SPECIAL_FLOATS = st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e300, 1e-300, 5e-324, -1.0, -1e-9, 0.0]
)
TEXTS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "none",
            "None",
            "always",
            "mon-fri",
            "fri-mon",
            "10:00-16:00",
            "16:00-10:00",
            "25:00-26:00",
            "24:00-24:00",
            "9999-12-31",
            "0001-01-01",
            "2023-02-30",
            "a0",
            "e0",
            "o0",
            "m0",
            "office",
            "mobile",
            "exponential",
            "nan",
            "inf",
            "-1",
            "1e400",
            "zz.unknown",
        ]
    ),
)
BAD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    HUGE_INTS,
    SPECIAL_FLOATS,
    st.floats(),
    TEXTS,
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.sampled_from([dt.date(9999, 12, 31), dt.date(9999, 12, 25), dt.date(1, 1, 1)]),
    st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(-5, 5), max_size=2),
)
SCALES = st.sampled_from([1e6, 1e12, 1e20, 1e300, 10**30, 10**400, 1e-300])


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _is_reference(path: tuple) -> bool:
    """An id, or a place where an id is referred to (stop area, site errand list)."""
    return path[-1] in ("id", "area") or (len(path) > 1 and path[-2] == "errands")


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid small scenario with 1-3 random mutations."""
    doc = copy.deepcopy(draw(scenarios(max_needs=50.0, days=(1, 2))))
    for _ in range(draw(st.integers(1, 3))):
        paths = _nodes(doc)
        kind = draw(
            st.sampled_from(
                [
                    "replace",
                    "replace",
                    "delete",
                    "unknown_key",
                    "empty",
                    "negate",
                    "scale",
                    "scale",
                    "unknown_id",
                    "duplicate",
                ]
            )
        )
        targets = {
            "negate": [p for p in paths if _is_number(_get(doc, p))],
            "scale": [p for p in paths if _is_number(_get(doc, p))],
            "empty": [p for p in paths if isinstance(_get(doc, p), dict | list)],
            "duplicate": [p for p in paths if isinstance(_get(doc, p), list) and _get(doc, p)],
            "unknown_id": [p for p in paths if _is_reference(p) and isinstance(_get(doc, p), str)],
            "unknown_key": [()] + [p for p in paths if isinstance(_get(doc, p), dict)],
        }.get(kind, paths)
        if not targets:
            continue
        path = draw(st.sampled_from(targets))
        if kind == "unknown_key":
            _get(doc, path)[draw(st.text(min_size=1, max_size=12))] = draw(BAD_VALUES)
            continue
        parent, key = _parent(doc, path), path[-1]
        value = parent[key]
        if kind == "replace":
            parent[key] = draw(BAD_VALUES)
        elif kind == "delete":
            del parent[key]
        elif kind == "empty":
            parent[key] = {} if isinstance(value, dict) else []
        elif kind == "negate":
            parent[key] = -value if value else -1
        elif kind == "scale":
            factor = draw(SCALES)
            try:
                parent[key] = value * factor if value else factor
            except OverflowError:  # a float times 10**400
                parent[key] = factor
        elif kind == "unknown_id":
            parent[key] = "zz-" + draw(st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True))
        else:  # duplicate a list item (duplicate ids, overlapping stops, ...)
            value.append(copy.deepcopy(value[draw(st.integers(0, len(value) - 1))]))
    return doc


EXTREMES = st.sampled_from(
    [
        1e308,
        1e300,
        1e20,
        1e12,
        10**30,
        10**400,
        10**5000,
        1e-300,
        5e-324,
        -1,
        -1e-9,
        math.nan,
        math.inf,
        -math.inf,
        0,
        2**63,
    ]
)


@st.composite
def extreme_number_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid small scenario with one number (anywhere) replaced by an extreme value."""
    doc = copy.deepcopy(draw(scenarios(max_needs=50.0, days=(1, 2))))
    numbers = [p for p in _nodes(doc) if _is_number(_get(doc, p))]
    path = draw(st.sampled_from(numbers))
    _parent(doc, path)[path[-1]] = draw(EXTREMES)
    return doc


def _get(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@PROPERTY
@given(mutated_documents())
def test_mutated_documents_raise_only_scenario_errors(doc):
    check_loads_and_runs(doc)


@PROPERTY
@given(extreme_number_documents())
def test_extreme_numbers_raise_only_scenario_errors(doc):
    """Any number replaced by NaN, an infinity, a negative, a tiny or a huge value."""
    check_loads_and_runs(doc)


@settings(PROPERTY, max_examples=max(10, settings.default.max_examples // 3))
@given(mutated_documents())
def test_cli_validate_returns_2_for_mutated_files(doc):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        try:
            text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        except ValueError:  # an integer too long for Python to print: not a file anyone can write
            return
        path.write_text(text, encoding="utf-8")
        check_cli(path)
        check_loads_and_runs(path, str(path))


# ---------------------------------------------------------------------------------------------
# corrupted YAML text and raw bytes


def python_tags(marker: Path) -> list[str]:
    """YAML snippets that would run code or build objects under an unsafe loader."""
    cmd = f"touch {marker}"
    return [
        f'!!python/object/apply:os.system ["{cmd}"]',
        f'!!python/object/apply:subprocess.call [["touch", "{marker}"]]',
        f'!!python/object/new:os.system ["{cmd}"]',
        f"!!python/object/apply:builtins.exec [\"open('{marker}', 'w').close()\"]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:builtins.object {}",
        "!!python/tuple [1, 2]",
        "!!python/bytes aGVsbG8=",
    ]


YAML_SNIPPETS = [
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!timestamp 2023-01-02T10:00:00",
    "!custom x",
    "&a [1, 2]",
    "*a",
    "*nope",
    "<<: *a",
    "{",
    "[",
    "}",
    "]",
    ": :",
    "\t",
    "? ",
    "- ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    '"',
    "'",
    "\x00",
    "\ufeff",
    "\u2028",
    "~",
    "null",
    ".nan",
    ".inf",
    "-.inf",
    "1e999",
    "0x10",
    "0o7",
    "1_000",
    "yes",
    "no",
    "on",
    "2023-02-30",
    "2023-13-01",
    "9999-12-31",
    "9" * 5000,
    "[" * 1000 + "]" * 1000,
]


@st.composite
def corrupted_files(draw: st.DrawFn, marker: Path) -> bytes:
    """YAML text of a valid scenario with random edits, or random bytes."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.binary(max_size=300))
    doc = draw(scenarios(max_needs=50.0, days=(1, 2)))
    text = yaml.safe_dump(doc, sort_keys=False, default_flow_style=draw(st.booleans()))
    snippets = YAML_SNIPPETS + python_tags(marker)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "insert", "value", "delete", "truncate", "line"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(snippets)) + text[at:]
        elif kind == "value":  # replace what follows a ": " by a snippet
            colon = text.find(": ", at)
            if colon >= 0:
                end = text.find("\n", colon)
                end = len(text) if end < 0 else end
                text = text[: colon + 2] + draw(st.sampled_from(snippets)) + text[end:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif kind == "truncate":
            text = text[:at]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                j = draw(st.integers(0, len(lines) - 1))
                lines.insert(j, draw(st.sampled_from(lines)))
                text = "".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1", "bytes"]))
    if encoding == "bytes":
        raw = bytearray(text.encode("utf-8"))
        raw.insert(draw(st.integers(0, len(raw))), draw(st.integers(128, 255)))
        return bytes(raw)
    return text.encode(encoding, errors="replace")


@PROPERTY
@given(st.data())
def test_corrupted_files_raise_only_scenario_errors(data):
    with tempfile.TemporaryDirectory() as tmp:
        marker = Path(tmp) / "pwned"
        raw = data.draw(corrupted_files(marker))
        path = Path(tmp) / "scenario.yaml"
        path.write_bytes(raw)
        check_loads_and_runs(path, str(path))
        assert not marker.exists(), "a YAML tag ran code"


@settings(PROPERTY, max_examples=max(10, settings.default.max_examples // 3))
@given(st.data())
def test_cli_validate_returns_2_for_corrupted_files(data):
    with tempfile.TemporaryDirectory() as tmp:
        marker = Path(tmp) / "pwned"
        path = Path(tmp) / "scenario.yaml"
        path.write_bytes(data.draw(corrupted_files(marker)))
        check_cli(path)
        assert not marker.exists(), "a YAML tag ran code"


# ---------------------------------------------------------------------------------------------
# fixed examples: python tags, and each problem the properties found


def valid_doc() -> dict[str, Any]:
    return {
        "name": "bad-input",
        "calendar": {"start": "2023-01-02", "days": 1},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 10}}
        ],
        "areas": [
            {
                "id": "a",
                "population": 100,
                "location": {"lat": 58.0, "lon": 16.0},
                "demand": {"per_hour": 1},
            }
        ],
        "sites": [
            {
                "id": "o",
                "kind": "office",
                "location": {"lat": 58.01, "lon": 16.0},
                "counters": 2,
                "opening_hours": "always",
            },
            {
                "id": "m",
                "kind": "mobile",
                "counters": 1,
                "schedule": [
                    {"area": "a", "days": ["mon"], "hours": ["10:00-12:00"]},
                    {
                        "location": {"lat": 58.02, "lon": 16.0},
                        "days": ["tue"],
                        "hours": ["10:00-12:00"],
                    },
                ],
            },
        ],
    }


@pytest.mark.parametrize("index", range(len(python_tags(Path("x")))))
@pytest.mark.parametrize("where", ["document", "value"])
def test_python_tags_are_rejected_not_executed(tmp_path, index, where):
    marker = tmp_path / "pwned"
    tag = python_tags(marker)[index]
    text = (
        tag + "\n"
        if where == "document"
        else yaml.safe_dump(valid_doc()).replace("name: bad-input", f"name: {tag}")
    )
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        simulation.load_scenario(path)
    check_error(info.value, str(path))
    assert "invalid YAML" in info.value.message
    assert main(["validate", str(path)]) == 2
    assert not marker.exists()


def _set(path: str, value: Any):
    def apply(doc: dict[str, Any]) -> None:
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        _parent(doc, tuple(keys))[keys[-1]] = value

    return apply


# Each of these loads without complaint (or fails with another exception) today.
FOUND = {
    "per_hour_1e20": _set("areas.0.demand.per_hour", 1e20),
    "per_hour_1e300": _set("areas.0.demand.per_hour", 1e300),
    "population_1e30_per_1000": lambda d: d["areas"][0].update(
        population=10**30, demand={"per_1000_per_year": 1}
    ),
    "population_10_pow_400": _set("areas.0.population", 10**400),
    "start_9999_12_31_with_mobile": _set("calendar.start", "9999-12-31"),
    "lognormal_cv_1e300": _set(
        "errands.0.service_minutes", {"dist": "lognormal", "mean": 10, "cv": 1e300}
    ),
    "gamma_cv_1e-300": _set(
        "errands.0.service_minutes", {"dist": "gamma", "mean": 10, "cv": 1e-300}
    ),
    "gamma_cv_1e300": _set("errands.0.service_minutes", {"dist": "gamma", "mean": 10, "cv": 1e300}),
    "patience_lognormal_cv_1e300": lambda d: d.update(
        behaviour={"patience_minutes": {"dist": "lognormal", "median": 1, "cv": 1e300}}
    ),
    "counters_5001_digits": _set("sites.0.counters", 10**5000),
    "seed_5001_digits": _set("seed", 10**5000),
}


@pytest.mark.parametrize("name", list(FOUND))
def test_found_documents_raise_scenario_errors(name):
    doc = valid_doc()
    FOUND[name](doc)
    check_loads_and_runs(doc)


FOUND_TEXT = {
    "invalid_date": "calendar: {start: 2023-02-30, days: 1}\n",
    "int_5000_digits": "seed: " + "9" * 5000 + "\n",
    "deep_nesting": "description: " + "[" * 1000 + "]" * 1000 + "\n",
}


@pytest.mark.parametrize("name", list(FOUND_TEXT))
def test_found_files_raise_scenario_errors(tmp_path, name):
    path = tmp_path / "found.yaml"
    path.write_text("name: found\n" + FOUND_TEXT[name], encoding="utf-8")
    check_loads_and_runs(path, str(path))
    assert main(["validate", str(path)]) == 2


def test_alias_bomb_is_rejected_quickly(tmp_path):
    """A 'billion laughs' document (8 levels of 9 aliases) must fail fast, not spend its time
    rendering 43 million list items into the error message."""
    levels = ['&a0 ["x","x","x","x","x","x","x","x","x"]']
    levels += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 8)]
    lines = yaml.safe_dump(valid_doc(), sort_keys=False).splitlines()
    lines.append("description: [" + ", ".join(levels) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = textwrap.dedent(f"""
        import simulation
        try:
            simulation.load_scenario({str(path)!r})
        except simulation.ScenarioError as err:
            print(len(str(err)))
    """)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parents[2],
        )
    except subprocess.TimeoutExpired:
        pytest.fail("loading an alias bomb took more than 5 s")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 1000


def test_random_numbers_stay_finite_for_accepted_extremes():
    """Distribution parameters are bounded (<= 1e6 minutes, cv in [1e-3, 100]): the extremes
    beyond are rejected, and the largest accepted ones give finite, non-negative samples."""
    from pydantic import ValidationError

    from simulation.scenario.schema import Errand

    for spec in (
        {"dist": "lognormal", "mean": 1e308, "cv": 10},
        {"dist": "exponential", "mean": 1e308},
        {"dist": "uniform", "low": 0, "high": 1.7e308},
        {"dist": "empirical", "values": [1e308]},
        {"dist": "gamma", "mean": 1, "cv": 1e-300},
    ):
        with pytest.raises(ValidationError):
            Errand.model_validate({"id": "e", "share": 1, "service_minutes": spec})
    for spec in (
        {"dist": "lognormal", "mean": 1e6, "cv": 100},
        {"dist": "exponential", "mean": 1e6},
        {"dist": "uniform", "low": 0, "high": 1e6},
        {"dist": "empirical", "values": [1e6]},
        {"dist": "gamma", "mean": 1e6, "cv": 1e-3},
        {"dist": "gamma", "mean": 1e6, "cv": 100},
    ):
        errand = Errand.model_validate({"id": "e", "share": 1, "service_minutes": spec})
        x = errand.service_minutes.sample(np.random.default_rng(0), 1000)
        assert np.isfinite(x).all() and (x >= 0).all(), spec
