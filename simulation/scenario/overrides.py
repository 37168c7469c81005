"""Changes to a scenario document: set by dotted path, add items, remove items.

Paths address list items by id: ``sites.linkoping-city.counters`` is the ``counters`` of the
site whose id is ``linkoping-city``; a number addresses a list item by position
(``sites.mobile-1.schedule.0.hours``). Changes apply to a deep copy; the input is never
modified.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from simulation.scenario.errors import ScenarioError


def _step(node: Any, key: str, where: tuple[str | int, ...]) -> tuple[Any, str | int]:
    """Resolve one path segment under ``node``; returns the container key to use."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, Mapping) and str(item.get("id")) == key:
                return node, i
        if key.isdigit() and int(key) < len(node):
            return node, int(key)
        ids = [str(item.get("id")) for item in node if isinstance(item, Mapping) and "id" in item]
        hint = f" (ids: {', '.join(ids)})" if ids else f" (positions 0..{len(node) - 1})"
        raise ScenarioError(f"no list item with id or position '{key}'{hint}", where, key)
    if isinstance(node, dict):
        return node, key
    raise ScenarioError("cannot go into a value that is neither a mapping nor a list", where, node)


def set_path(
    document: dict[str, Any], path: str, value: Any, where: tuple[str | int, ...] = ()
) -> None:
    """Set ``value`` at dotted ``path`` inside ``document`` (in place).

    Missing mapping keys are created (so a default can be overridden); list items must exist.

    Raises
    ------
    ScenarioError
        If a segment names no list item, or the path goes through a plain value.
    """
    parts = [p for p in str(path).split(".")]
    if not all(parts):
        raise ScenarioError("empty segment in dotted path", where, path)
    node: Any = document
    for part in parts[:-1]:
        container, key = _step(node, part, where)
        if isinstance(container, dict) and key not in container:
            container[key] = {}
        node = container[key]
    container, key = _step(node, parts[-1], where)
    container[key] = copy.deepcopy(value)


def apply_changes(
    base: Mapping[str, Any], changes: Mapping[str, Any], where: tuple[str | int, ...] = ()
) -> dict[str, Any]:
    """A new document: ``base`` with ``remove``, then ``add``, then ``set`` applied.

    Parameters
    ----------
    base
        A scenario document (plain data).
    changes
        ``{"remove": {section: [ids]}, "add": {section: [items]}, "set": {path: value}}``;
        ``section`` is one of ``sites``, ``areas``, ``errands``.
    where
        Path of ``changes`` inside its file, for error messages.
    """
    doc = copy.deepcopy(dict(base))
    for section, ids in (changes.get("remove") or {}).items():
        items = doc.get(section, [])
        known = {str(item.get("id")) for item in items if isinstance(item, Mapping)}
        for j, ident in enumerate(ids):
            if str(ident) not in known:
                raise ScenarioError(
                    f"no {section} item with this id to remove",
                    where + ("remove", section, j),
                    ident,
                )
        doc[section] = [item for item in items if str(item.get("id")) not in {str(i) for i in ids}]
    for section, items in (changes.get("add") or {}).items():
        doc[section] = list(doc.get(section, [])) + copy.deepcopy(list(items))
    for path, value in (changes.get("set") or {}).items():
        set_path(doc, path, value, where + ("set", path))
    return doc
