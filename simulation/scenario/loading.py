"""Loading scenarios from YAML files or dicts, with clear errors for bad input.

Parsing uses ``yaml.safe_load`` only, so a scenario can never construct Python objects.
Every problem ends in one :class:`~simulation.scenario.errors.ScenarioError` naming the file, the path
inside it, the value and what was expected.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError

from simulation.scenario import distributions, schema
from simulation.scenario.errors import Described, ScenarioError
from simulation.scenario.hours import parse_opening_hours
from simulation.scenario.limits import check_needs, read_limited
from simulation.scenario.profiles import expected_needs
from simulation.scenario.schedules import check_schedule
from simulation.scenario.schema import MAX_NEEDS_PER_YEAR, WEEKDAYS, Mobile, Profile, Scenario

if TYPE_CHECKING:
    from simulation.scenario.travel_matrix import TravelIds

_TAGS = {
    "office",
    "mobile",
    "exponential",
    "lognormal",
    "gamma",
    "uniform",
    "deterministic",
    "empirical",
}


def _vocabulary() -> list[str]:
    words: set[str] = set()
    for module in (schema, distributions):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
                words.update(obj.model_fields)
    return sorted(words)


_VOCABULARY = _vocabulary()


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """Read a YAML file safely.

    The file is checked with :func:`simulation.scenario.limits.check_input_file` before it is
    opened: directories, devices, FIFOs and files over the size limit are refused.

    Raises
    ------
    ScenarioError
        If the file is missing, special or too big, not UTF-8, not valid YAML, has a
        duplicate key, or a value YAML cannot construct (a date such as 2023-02-30, an
        integer of thousands of digits); the error names the path inside the document.
    """
    source = str(path)
    try:
        raw = read_limited(path, "yaml")
    except ScenarioError as exc:
        raise exc.with_source(source) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"file is not UTF-8 text (bad byte at offset {exc.start})", source=source
        ) from None
    try:
        return parse_yaml(text)
    except ScenarioError as exc:
        raise exc.with_source(source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"invalid YAML{where}: {problem}", source=source) from None
    except RecursionError:
        raise ScenarioError("invalid YAML: nested too deeply", source=source) from None
    except (ValueError, OverflowError) as exc:  # a value the path-aware check did not reach
        raise ScenarioError(
            f"invalid YAML value: {str(exc).splitlines()[0]}", source=source
        ) from None


MAX_NODES = 200_000
"""Most YAML nodes a document may expand to (aliases counted each time they are used)."""


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` with three extra checks.

    It refuses documents whose aliases expand to more than :data:`MAX_NODES` nodes (a
    'billion laughs' file would otherwise exhaust the machine), mappings that give a key
    twice (YAML would silently keep the last), and values that cannot be constructed,
    naming their path in the document (``calendar.start``) instead of the top level.

    Raises
    ------
    yaml.YAMLError
        On a syntax error or too many nodes.
    ScenarioError
        Without a source: a duplicate key or a value that cannot be constructed.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        sizes: dict[int, int] = {}

        def size(n: yaml.Node) -> int:
            key = id(n)
            if key not in sizes:
                sizes[key] = 1  # guards against cycles
                children = (
                    n.value
                    if isinstance(n, yaml.SequenceNode)
                    else (
                        [x for pair in n.value for x in pair]
                        if isinstance(n, yaml.MappingNode)
                        else []
                    )
                )
                sizes[key] = 1 + sum(size(c) for c in children)
                if sizes[key] > MAX_NODES:
                    raise yaml.YAMLError(
                        f"document expands to more than {MAX_NODES:,} nodes (aliases?)"
                    )
            return sizes[key]

        size(node)
        _check_nodes(loader, node, (), set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _check_nodes(
    loader: yaml.SafeLoader, node: yaml.Node, path: tuple[str | int, ...], seen: set[int]
) -> None:
    """Construct every scalar (so a bad value is reported at its path) and refuse duplicate keys."""
    if id(node) in seen:  # an alias: already checked where its anchor is
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        _construct_scalar(loader, node, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _check_nodes(loader, child, path + (i,), seen)
    elif isinstance(node, yaml.MappingNode):
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # '<<: *defaults': keys given here override merged ones
                _check_nodes(loader, value_node, path, seen)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                _check_nodes(loader, key_node, path, seen)
                _check_nodes(loader, value_node, path, seen)
                continue
            key = _construct_scalar(loader, key_node, path)
            seen.add(id(key_node))
            line = key_node.start_mark.line + 1
            where = path + (str(key),)
            if key in first_line:
                raise ScenarioError(
                    f"duplicate key '{_short(key)}' at line {line} (first given at line "
                    f"{first_line[key]}); give each key once",
                    where,
                )
            first_line[key] = line
            _check_nodes(loader, value_node, where, seen)


def _short(key: Any) -> str:
    text = str(key)
    return text if len(text) <= 60 else text[:57] + "..."


def _construct_scalar(
    loader: yaml.SafeLoader, node: yaml.ScalarNode, path: tuple[str | int, ...]
) -> Any:
    """The value of a scalar node, or a :class:`ScenarioError` at ``path`` if it has none."""
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError) as exc:
        line = node.start_mark.line + 1
        if node.tag.endswith(":int"):
            digits = sum(ch.isdigit() for ch in node.value)
            raise ScenarioError(
                f"integer at line {line} has too many digits to be read",
                path,
                Described(f"<a number with about {digits} digits>"),
            ) from None
        if node.tag.endswith(":timestamp"):
            problem = str(exc).splitlines()[0] if str(exc) else "not a calendar date"
            raise ScenarioError(
                f"invalid date at line {line}: {problem}", path, node.value
            ) from None
        raise ScenarioError(
            f"invalid value at line {line}: {str(exc).splitlines()[0]}", path, node.value
        ) from None


def load_scenario(
    source: str | os.PathLike[str] | Mapping[str, Any] | Scenario,
    travel_ids: TravelIds | None = None,
) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source
        A path to a YAML file, a mapping with the same content, or a ``Scenario``
        (returned unchanged).
    travel_ids
        Ids a travel matrix may name beyond the scenario's own (see
        :class:`simulation.scenario.travel_matrix.TravelIds`); default: only the scenario's.

    Returns
    -------
    Scenario
        Frozen, validated scenario with defaults filled in.

    Raises
    ------
    ScenarioError
        On any invalid input, naming file, path, value and expectation.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        return scenario_from_dict(source, None, None, travel_ids)
    if not isinstance(source, str | os.PathLike):
        raise ScenarioError(
            "expected a scenario file path or a mapping of scenario keys", (), source
        )
    path = Path(source)
    document = read_yaml(path)
    return scenario_from_dict(document, str(path), path.parent, travel_ids)


def scenario_from_dict(
    document: Any, source: str | None, base_dir: Path | None, travel_ids: TravelIds | None = None
) -> Scenario:
    """Validate a parsed document as a scenario (see :func:`load_scenario`)."""
    try:
        if not isinstance(document, Mapping):
            raise ScenarioError(
                "expected a mapping of scenario keys at the top level", (), document
            )
        data = dict(document)
        if "name" not in data and source is not None:
            stem = re.sub(r"[^A-Za-z0-9_.\-]", "-", Path(source).stem).strip("-.") or "scenario"
            data["name"] = stem
        travel = data.get("travel")
        if isinstance(travel, Mapping) and isinstance(travel.get("matrix"), str) and base_dir:
            data["travel"] = {**travel, "matrix": str((base_dir / travel["matrix"]).resolve())}
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as exc:
            raise _from_pydantic(exc) from None
        check_references(scenario, travel_ids)
        return scenario
    except ScenarioError as exc:
        raise exc.with_source(source) if source else exc from None


def _is_branch_tag(part: str) -> bool:
    """Union branch names pydantic puts into error locations (not keys of the document)."""
    return (
        part in _TAGS
        or "[" in part
        or part.startswith(("constrained-", "function-"))
        or (part[:1].isupper() and part.isidentifier())
    )


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, int):
            out.append(part)
        elif isinstance(part, str) and not _is_branch_tag(part):
            out.append(part)
    return tuple(out)


def _pick(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Choose the most informative error: union branches report one error each."""

    def rank(err: dict[str, Any]) -> tuple[int, int, int]:
        literal_branch = any(isinstance(p, str) and p.startswith("literal[") for p in err["loc"])
        own_check = err["type"] == "value_error"  # our own message says most
        return (int(own_check), 0 if literal_branch else 1, len(_clean_loc(err["loc"])))

    typos = [e for e in errors if e["type"] == "extra_forbidden"]
    if typos:  # an unknown key usually explains a 'missing' one next to it
        return typos[0]
    first_field = _clean_loc(errors[0]["loc"])[:1]
    same = [e for e in errors if _clean_loc(e["loc"])[:1] == first_field]
    return max(same, key=rank)


def _from_pydantic(exc: ValidationError, vocabulary: list[str] | None = None) -> ScenarioError:
    errors = exc.errors()
    err = _pick([dict(e) for e in errors])
    path = _clean_loc(err["loc"])
    kind = err["type"]
    value = err.get("input", ...)
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        words = [w for w in (vocabulary or _VOCABULARY) if w != key]
        near = difflib.get_close_matches(key, words, n=1, cutoff=0.6)
        if key in (vocabulary or _VOCABULARY):
            message = f"key '{key}' does not belong here (it is valid in another section; see docs/model.md)"
        else:
            message = f"unknown key '{key}'" + (f"; did you mean '{near[0]}'?" if near else "")
        value = ...
    elif kind == "missing":
        message = "required key is missing"
        value = ...
    elif kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        message = f"unknown {ctx.get('discriminator', 'kind')}; expected one of {ctx.get('expected_tags')}"
        value = ctx.get("tag", value)
    else:
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        message = message[0].lower() + message[1:]
    extra = len(errors) - 1
    if extra > 0 and len({_clean_loc(e["loc"]) for e in errors}) > 1:
        message += f" [{extra} more problem{'s' if extra > 1 else ''} after this one]"
    return ScenarioError(message, path, value)


def _check_profile(profile: Any, path: tuple[str | int, ...]) -> None:
    if not isinstance(profile, Profile):
        return
    if profile.weekday is not None:
        for key in profile.weekday:
            if key not in WEEKDAYS:
                raise ScenarioError("expected a weekday mon..sun", path + ("weekday", key), key)
        if not any(v > 0 for v in profile.weekday.values()):
            raise ScenarioError("at least one weekday weight must be positive", path + ("weekday",))
    if profile.hour is not None:
        for hour in profile.hour:
            if not 0 <= hour <= 23:
                raise ScenarioError("expected an hour of day 0..23", path + ("hour", hour), hour)
        if not any(v > 0 for v in profile.hour.values()):
            raise ScenarioError("at least one hour weight must be positive", path + ("hour",))


def _unique(items: tuple[Any, ...], section: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise ScenarioError("duplicate id", (section, i, "id"), item.id)
        seen.add(item.id)


def check_references(scenario: Scenario, travel_ids: TravelIds | None = None) -> None:
    """Checks that relate parts of a scenario: ids, shares, profiles, opening hours, the
    expected number of needs (:func:`simulation.scenario.limits.check_needs`) and the travel matrix.

    Parameters
    ----------
    scenario
        The structurally valid scenario.
    travel_ids
        Ids a travel matrix may name beyond the scenario's own (a sweep's other designs);
        :data:`simulation.scenario.travel_matrix.ANY_IDS` leaves the matrix to the caller.

    Raises
    ------
    ScenarioError
        Without a source; :func:`load_scenario` adds it.
    """
    cal = scenario.calendar
    if cal.warmup_days >= cal.days:
        raise ScenarioError(
            f"must be smaller than calendar.days ({cal.days})",
            ("calendar", "warmup_days"),
            cal.warmup_days,
        )
    _unique(scenario.errands, "errands")
    _unique(scenario.areas, "areas")
    _unique(scenario.sites, "sites")
    total = math.fsum(e.share for e in scenario.errands)
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError("errand shares must sum to 1", ("errands",), round(total, 9))
    _check_profile(scenario.demand_profile, ("demand_profile",))
    for i, area in enumerate(scenario.areas):
        _check_profile(area.demand_profile, ("areas", i, "demand_profile"))
        per_year = area.demand.per_minute(area.population) * 365 * 1440
        if per_year > MAX_NEEDS_PER_YEAR * (1 + 1e-9):
            raise ScenarioError(
                f"demand of {per_year:.3g} needs a year is more than the "
                f"{MAX_NEEDS_PER_YEAR:.0e} any run can handle",
                ("areas", i, "demand"),
                area.demand.model_dump(exclude_none=True),
            )
    check_needs(expected_needs(scenario), ("areas",), f"per replication over {cal.days} days")
    errand_ids = {e.id for e in scenario.errands}
    for i, site in enumerate(scenario.sites):
        for j, errand in enumerate(site.errands or ()):
            if errand not in errand_ids:
                near = difflib.get_close_matches(errand, sorted(errand_ids), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ScenarioError(
                    f"undefined errand id{hint} (defined: {', '.join(sorted(errand_ids))})",
                    ("sites", i, "errands", j),
                    errand,
                )
        try:
            if isinstance(site, Mobile):
                check_schedule(site, scenario)
            elif isinstance(site.opening_hours, Mapping) and not site.opening_hours:
                # `{}` is almost surely a mistake; days listed with no windows are an explicit choice
                raise ScenarioError(
                    "an office must be open at some time: give at least one window, e.g. "
                    "{mon-fri: ['10:00-16:00']}, or 'always' (to leave an office out, remove "
                    "it from the sites)",
                    (),
                    site.opening_hours,
                )
            else:
                parse_opening_hours(site.opening_hours)
        except ScenarioError as exc:
            prefix = ("sites", i) if isinstance(site, Mobile) else ("sites", i, "opening_hours")
            raise exc.with_prefix(prefix) from None
    from simulation.scenario.travel_matrix import ANY_IDS, read_travel_matrix

    if travel_ids is ANY_IDS:  # checked by the caller, e.g. a sweep
        return
    if scenario.travel.matrix is not None:
        read_travel_matrix(
            scenario, travel_ids
        )  # areas it leaves unreachable: engine.network.warn_unreachable
