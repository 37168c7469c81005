"""Pydantic validation errors as the project's one error: the key, the path, the value.

:func:`from_pydantic` picks the most informative of pydantic's errors (a union reports one
per branch), drops the branch names from its location, and words it: an unknown key with a
'did you mean' from the document's vocabulary, a missing key, an unknown ``kind``.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from simulation.scenario import distributions, schema
from simulation.scenario.errors import ScenarioError

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


def from_pydantic(exc: ValidationError, vocabulary: list[str] | None = None) -> ScenarioError:
    """The project's error for a pydantic validation error.

    Parameters
    ----------
    exc
        The pydantic error.
    vocabulary
        Every key of the document's models, for 'did you mean' and 'belongs elsewhere'
        (default: the keys of the scenario schema and its distributions).

    Returns
    -------
    ScenarioError
        Without a source: the message, the path in the document and the value.
    """
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
