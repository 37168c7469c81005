"""Names that become file names: one rule for turning user text into a safe slug.

A slug uses only ``A-Z a-z 0-9 _ . -``, starts with a letter or digit and is at most
``max_length`` characters long, so it is a valid file name on every common file system and
a valid scenario ``name``. Text that already has that form is returned unchanged. Any other
text is rewritten (each run of other characters becomes ``-``) and gets a short hash of the
*original* text appended, so two different texts never share a slug by accident: ``a/b``
becomes ``a-b-<hash>`` while ``a-b`` and ``a_b`` stay as they are.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
"""The form of a slug (also the form of scenario, sweep and design names)."""

HASH_LENGTH = 8
"""Hex digits of the hash appended to rewritten text (32 bits)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


def is_slug(text: str, max_length: int = 100) -> bool:
    """Whether ``text`` is already a slug (see :func:`slug`)."""
    return len(text) <= max_length and SAFE.match(text) is not None


def slug(text: str, max_length: int = 100) -> str:
    """A safe file name for ``text``, distinct from the slug of any other text.

    Parameters
    ----------
    text
        Any text: a sweep cell name, a design name, a factor level label.
    max_length
        Longest slug returned (at least ``HASH_LENGTH + 2``).

    Returns
    -------
    str
        ``text`` itself when it is already safe and short enough, otherwise the text with
        every run of unsafe characters replaced by ``-``, cut to fit, and followed by ``-``
        and the first ``HASH_LENGTH`` hex digits of the sha256 of ``text``.

    Examples
    --------
    >>> slug("tiny-today")
    'tiny-today'
    >>> slug("a/b") != slug("a-b") and slug("a/b") != slug("a_b")
    True
    >>> slug("a/b").startswith("a-b-")
    True
    """
    if max_length < HASH_LENGTH + 2:
        raise ValueError(f"max_length must be at least {HASH_LENGTH + 2}")
    if is_slug(text, max_length):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    stem = _UNSAFE.sub("-", text).lstrip("-._")[: max_length - HASH_LENGTH - 1].rstrip("-.")
    return f"{stem}-{digest}" if stem else digest


def name_from_file(path: str | os.PathLike[str], default: str, suffixes: Sequence[str] = ()) -> str:
    """The default name of a document from its file name: the slug of the file's stem.

    Parameters
    ----------
    path
        The file (``configs/examples/two-areas.yaml``).
    default
        The name when nothing is left of the stem.
    suffixes
        Endings removed from the stem first, in order (``.propose``).

    Returns
    -------
    str
        :func:`slug` of the stem, so a safe stem is kept as it is (``two-areas``) and any
        other gets a hash (``my scenario!`` → ``my-scenario-<hash>``).

    Examples
    --------
    >>> name_from_file("configs/examples/two-areas.yaml", "scenario")
    'two-areas'
    >>> name_from_file("north.propose.yaml", "scenario", (".propose", "-propose"))
    'north'
    """
    stem = Path(path).stem
    for suffix in suffixes:
        stem = stem.removesuffix(suffix)
    return slug(stem) if stem else default
