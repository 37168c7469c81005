"""Base documents: the scenario file a sweep or propose file names as ``base:``.

One rule for every kind of file: the ``base:`` path is taken relative to the file that names
it, the scenario it points to is read as plain data, and a relative travel-matrix path in a
scenario document is made absolute against the scenario's own folder (so the document can be
changed and validated anywhere). Errors in the base file are nested under ``base``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulation.scenario.errors import ScenarioError
from simulation.scenario.yaml_io import read_yaml


def absolute_matrix(document: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """A copy of a scenario ``document`` whose relative ``travel.matrix`` is made absolute.

    Parameters
    ----------
    document
        A scenario as plain data.
    folder
        The folder the document's relative paths are relative to (its file's folder).

    Returns
    -------
    dict
        A shallow copy of ``document``; ``travel`` is replaced (not changed) when it names a
        matrix.
    """
    data = dict(document)
    travel = data.get("travel")
    if isinstance(travel, Mapping) and isinstance(travel.get("matrix"), str):
        data["travel"] = {**travel, "matrix": str((folder / travel["matrix"]).resolve())}
    return data


def read_base(base: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    """Read the base scenario a sweep or propose file names.

    Parameters
    ----------
    base
        The file's ``base:`` value, a path relative to ``folder``.
    folder
        The folder of the file that names it (the current directory for a mapping).

    Returns
    -------
    tuple of Path and dict
        The resolved path of the base scenario, and its document as plain data with the
        travel-matrix path made absolute (:func:`absolute_matrix`).

    Raises
    ------
    ScenarioError
        At path ``base`` with value ``base``: the base file's own error (nested, naming the
        file and the path inside it), or that it is not a mapping.
    """
    path = (folder / base).resolve()
    try:
        document = read_yaml(path)
    except ScenarioError as exc:
        raise ScenarioError(exc.nested(), ("base",), base) from None
    if not isinstance(document, Mapping):
        raise ScenarioError("base scenario is not a mapping", ("base",), base)
    return path, absolute_matrix(document, path.parent)


def file_kind(document: object) -> str:
    """What a YAML document is: ``sweep`` (has ``designs``), ``propose`` (has ``units`` or
    ``budget``), ``pilot`` (has ``regions``), ``build`` (a build spec: has ``build``) or
    ``scenario``."""
    if isinstance(document, dict) and "designs" in document:
        return "sweep"
    if isinstance(document, dict) and "regions" in document:
        return "pilot"
    if isinstance(document, dict) and ("units" in document or "budget" in document):
        return "propose"
    if isinstance(document, dict) and "build" in document:
        return "build"
    return "scenario"


_COMMANDS = {
    "scenario": "servicesim run",
    "sweep": "servicesim sweep (or run)",
    "propose": "servicesim propose",
    "pilot": "servicesim pilot",
    "build": "servicesim build",
}


def check_kind(document: object, expected: str) -> None:
    """Refuse a document of another kind with a word about the command it belongs to.

    Raises
    ------
    ScenarioError
        E.g. ``this is a scenario file, not a sweep file (a sweep has 'designs'); give it to
        servicesim run``.
    """
    kind = file_kind(document)
    if (
        kind != expected
        and isinstance(document, dict)
        and (kind != "scenario" or "sites" in document or "areas" in document)
    ):
        what = {
            "sweep": "a sweep has 'designs'",
            "propose": "a propose file has 'units' and 'budget'",
            "pilot": "a pilot file has 'regions'",
            "scenario": "a scenario has 'areas' and 'sites'",
        }[expected]
        raise ScenarioError(
            f"this is a {kind} file, not a {expected} file ({what}); give it to {_COMMANDS[kind]}"
        )
