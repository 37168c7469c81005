"""Commented YAML through ruamel.yaml: plain data, ``# comments`` keyed by path, a header.

The layout rule (which collections are written in block style) is this module's; the writing
is ruamel.yaml's. Top-level sections and nested ``add``/``sites``/``schedule`` are blocks, as
is any collection with a comment inside or whose one-line form would exceed ``WIDTH``; the
rest is written in flow style on one line. A comment goes at the end of its node's line, two
spaces after it (on its own line, before the item, for a list item written as a block).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

Comments = dict[tuple[Any, ...], str]

_PLAIN = re.compile(r"^[A-Za-z0-9ÅÄÖåäöÉéÜü][A-Za-z0-9ÅÄÖåäöÉéÜü ()/_.\-]*$")
TOP_BLOCK = {
    "calendar",
    "demand_profile",
    "errands",
    "areas",
    "sites",
    "travel",
    "behaviour",
    "designs",
    "kpis",
}
NESTED_BLOCK = {"add", "sites", "schedule"}
WIDTH = 120
COMMENT_GAP = 2  # spaces between a value and its end-of-line comment


def _plain_string(text: str) -> bool:
    return bool(_PLAIN.match(text)) and not text.endswith(" ") and yaml.safe_load(text) == text


def scalar(value: Any) -> Any:
    """``value`` as the ruamel.yaml node to write: whole floats as ints, odd strings quoted."""
    if isinstance(value, bool | int | dt.date):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    text = str(value)
    return text if _plain_string(text) else DoubleQuotedScalarString(text)


def _scalar_text(value: Any) -> str:
    """How ``scalar(value)`` reads in the file (to measure lines; ruamel.yaml writes them)."""
    node = scalar(value)
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, dt.date):
        return node.isoformat()
    if isinstance(node, DoubleQuotedScalarString):
        return json.dumps(str(node), ensure_ascii=False)
    return repr(node) if isinstance(node, float) else str(node)


def flow_text(value: Any) -> str:
    """``value`` as one line in YAML flow style (to measure lines)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_scalar_text(k)}: {flow_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow_text(v) for v in value) + "]"
    return _scalar_text(value)


def _is_collection(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple)


def _commented_below(path: tuple[Any, ...], comments: Mapping[tuple[Any, ...], str]) -> bool:
    n = len(path)
    return any(len(k) > n and k[:n] == path for k in comments)


def _value_is_block(
    key: Any, value: Any, path: tuple[Any, ...], comments: Comments, pad: int
) -> bool:
    """Whether the collection under ``key`` (at ``path``, key at column ``pad``) is a block."""
    if not value:
        return False
    named = TOP_BLOCK if len(path) == 1 else NESTED_BLOCK
    inline = f"{' ' * pad}{_scalar_text(key)}: {flow_text(value)}"
    return key in named or _commented_below(path, comments) or len(inline) > WIDTH


def _mapping(
    value: Mapping[str, Any], comments: Comments, path: tuple[Any, ...], pad: int, block: bool
) -> CommentedMap:
    node = CommentedMap()
    for key, item in value.items():
        p = (*path, key)
        line = f"{' ' * pad}{_scalar_text(key)}:"
        if _is_collection(item):
            item_block = _value_is_block(key, item, p, comments, pad)
            node[scalar(key)] = _collection(item, comments, p, pad + 2, item_block)
            if not item_block:
                line += " " + flow_text(item)
        else:
            node[scalar(key)] = scalar(item)
            line += " " + _scalar_text(item)
        if p in comments:
            node.yaml_add_eol_comment(comments[p], scalar(key), column=len(line) + COMMENT_GAP)
    _set_style(node, block)
    return node


def _sequence(
    value: Any, comments: Comments, path: tuple[Any, ...], pad: int, block: bool
) -> CommentedSeq:
    node = CommentedSeq()
    for i, item in enumerate(value):
        p = (*path, i)
        line = f"{' ' * pad}- {flow_text(item)}"
        item_block = isinstance(item, Mapping) and (
            _commented_below(p, comments) or len(line) > WIDTH
        )
        if _is_collection(item):
            node.append(_collection(item, comments, p, pad + 2, item_block))
        else:
            node.append(scalar(item))
        if p in comments and item_block:
            node.yaml_set_comment_before_after_key(i, before=comments[p], indent=pad)
        elif p in comments:
            node.yaml_add_eol_comment(comments[p], i, column=len(line) + COMMENT_GAP)
    _set_style(node, block)
    return node


def _collection(
    value: Any, comments: Comments, path: tuple[Any, ...], pad: int, block: bool
) -> CommentedMap | CommentedSeq:
    """The ruamel.yaml node of a mapping or list whose keys (or dashes) start at column ``pad``."""
    if isinstance(value, Mapping):
        return _mapping(value, comments, path, pad, block)
    return _sequence(value, comments, path, pad, block)


def _set_style(node: CommentedMap | CommentedSeq, block: bool) -> None:
    if block:
        node.fa.set_block_style()
    else:
        node.fa.set_flow_style()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def document(header: Iterable[str], doc: Mapping[str, Any], comments: Comments) -> str:
    """A commented YAML file of ``doc``; checks that it reads back as ``doc``.

    Parameters
    ----------
    header
        Lines of the comment block that opens the file.
    doc
        Plain data (mappings, lists, scalars and dates), in the order to write.
    comments
        End-of-line comments keyed by the path of the node they annotate.

    Returns
    -------
    str
        The file's text.
    """
    root = _mapping(doc, comments, (), 0, block=True)
    root.yaml_set_start_comment("\n".join(header))
    writer = YAML()
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.width = 4096  # the layout rule above decides what goes on one line
    writer.allow_unicode = True
    buffer = io.StringIO()
    writer.dump(root, buffer)
    text = buffer.getvalue()
    if yaml.safe_load(text) != _plain(doc):
        raise AssertionError("generated YAML does not read back as the intended data")
    return text
