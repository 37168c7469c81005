"""Reading YAML documents safely: size limits, duplicate keys, values checked at their path.

Every scenario, sweep and propose file is read by :func:`read_yaml`. Parsing uses
``yaml.SafeLoader`` only, so a file can never construct Python objects; every problem ends
in one :class:`~simulation.scenario.errors.ScenarioError` naming the file, the path inside
it and the value.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from simulation.scenario.errors import Described, ScenarioError
from simulation.scenario.limits import read_limited


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
