"""Executed documentation: the Python examples in README.md and docs/*.md run as tests.

A ```python block runs in the document's namespace (blocks of one file share it, in order).
When the next block is a ```text block, it is the example's printed output and must match
exactly. ``<!-- skip: next -->`` before a block skips it (say why in the text).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from sybil import Region, Sybil
from sybil.parsers.markdown import SkipParser

ROOT = Path(__file__).resolve().parent

_EXAMPLE = re.compile(
    r"^```python\n(?P<code>.*?)^```\n(?:\s*^```text\n(?P<output>.*?)^```\n)?",
    re.MULTILINE | re.DOTALL,
)


def _evaluate(example) -> str | None:
    code, expected = example.parsed
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(example.path), "exec"), example.namespace)  # noqa: S102
    if expected is not None and out.getvalue().rstrip() != expected.rstrip():
        return f"printed output differs from the document:\n--- document\n{expected}--- printed\n{out.getvalue()}"
    return None


def _examples(document) -> list[Region]:
    regions = []
    for match in _EXAMPLE.finditer(document.text):
        regions.append(
            Region(match.start(), match.end(), (match["code"], match["output"]), _evaluate)
        )
    return regions


def _setup(namespace: dict) -> None:
    os.chdir(ROOT)  # examples use paths relative to the repository root


pytest_collect_file = Sybil(
    parsers=[SkipParser(), _examples], patterns=["README.md", "docs/*.md"], setup=_setup
).pytest()
