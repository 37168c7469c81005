"""The document model of the reports: blocks of rich text, tables and figures.

A report (of a run, a sweep or a propose run) is built as a :class:`Document`, a title and
a list of blocks, and only then rendered, to Markdown or to HTML, by
:mod:`simulation.report.rendering`. The blocks hold plain text: escaping for the output format is
the renderer's job, so text from user files can go into any block as it is.

Blocks
------
:class:`Heading`, :class:`Paragraph`, :class:`BulletList`, :class:`NumberedList`,
:class:`Table` and :class:`FigureBlock`. Rich text (:data:`Inline`) is a list of
:class:`Span` segments, each plain, bold or code; :func:`text`, :func:`bold` and
:func:`code` build them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

STYLES: tuple[str, ...] = ("", "b", "code")
"""Span styles: plain, bold and inline code."""


class Span(NamedTuple):
    """A segment of rich text in one style.

    Attributes
    ----------
    style
        ``""`` (plain), ``"b"`` (bold) or ``"code"`` (inline code, shown as it is).
    text
        The text, unescaped.
    """

    style: str
    text: str


Inline = list[Span]
"""Rich text: a list of :class:`Span` segments."""


def text(*parts: str | tuple[str, str]) -> Inline:
    """Rich text from plain strings and ``(style, text)`` segments.

    Parameters
    ----------
    *parts
        A string is a plain segment; a tuple (e.g. from :func:`bold` or :func:`code`) is
        kept with its style.

    Returns
    -------
    Inline
        The segments in order.

    Examples
    --------
    >>> text("Design ", bold("more-counters"), " wins")
    [Span(style='', text='Design '), Span(style='b', text='more-counters'), Span(style='', text=' wins')]
    """
    return [Span(*p) if isinstance(p, tuple) else Span("", p) for p in parts]


def bold(value: str) -> Span:
    """A bold segment."""
    return Span("b", value)


def code(value: str) -> Span:
    """An inline-code segment (identifiers, file names, commands)."""
    return Span("code", value)


@dataclass
class Heading:
    """A section heading below the document's title.

    Attributes
    ----------
    text
        The heading's text (plain).
    level
        2 for a section, 3 for a subsection (1 is the document's title).
    """

    kind: ClassVar[str] = "heading"
    text: str
    level: int = 2


@dataclass
class Paragraph:
    """A paragraph of rich text."""

    kind: ClassVar[str] = "paragraph"
    content: Inline


@dataclass
class BulletList:
    """A list of items of rich text, without numbers."""

    kind: ClassVar[str] = "bullets"
    items: list[Inline]


@dataclass
class NumberedList:
    """A numbered list of items of rich text.

    Attributes
    ----------
    items
        The items.
    start
        The first item's number (a list interrupted by a table continues with ``start``).
    """

    kind: ClassVar[str] = "numbered"
    items: list[Inline]
    start: int = 1


@dataclass
class Table:
    """A table of rich-text cells.

    Attributes
    ----------
    header
        Column names (plain text).
    rows
        Rows of cells, each cell rich text.
    caption
        Shown above the table (empty: none).
    numeric
        Indices of the columns aligned right (numbers).
    """

    kind: ClassVar[str] = "table"
    header: list[str]
    rows: list[list[Inline]]
    caption: str = ""
    numeric: set[int] = field(default_factory=set)


@dataclass
class FigureBlock:
    """A figure saved next to the report as ``figures/<name>.png`` and ``.svg``.

    Attributes
    ----------
    name
        File name without extension.
    number
        Figure number in the report.
    title, caption
        Plain text.
    """

    kind: ClassVar[str] = "figure"
    name: str
    number: int
    title: str
    caption: str


Block = Heading | Paragraph | BulletList | NumberedList | Table | FigureBlock
"""Any block of a :class:`Document`."""


@dataclass
class Document:
    """A report: a title and its blocks, in order.

    Attributes
    ----------
    title
        The report's title (the Markdown ``#`` heading and the HTML ``<title>``).
    blocks
        The body.
    """

    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def figures(self) -> list[FigureBlock]:
        """The figure blocks, in order."""
        return [b for b in self.blocks if isinstance(b, FigureBlock)]


def plain_table(
    header: Sequence[object], rows: Sequence[Sequence[object]], caption: str = ""
) -> Table:
    """A table whose cells are plain text: every value is shown with ``str``.

    Parameters
    ----------
    header
        Column names.
    rows
        Rows of values.
    caption
        Shown above the table.

    Returns
    -------
    Table
        No column is marked numeric.
    """
    return Table([str(h) for h in header], [[text(str(x)) for x in row] for row in rows], caption)
