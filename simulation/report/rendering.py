"""Rendering of a :class:`~simulation.report.document.Document` to Markdown and to HTML.

Both formats come from Jinja2 templates shipped in ``simulation/report/templates/``:

* ``report.md.j2`` with the macros of ``blocks.md.j2``: Markdown, text escaped by
  :func:`md_escape`, figures linked from ``figures/``;
* ``report.html.j2`` with the macros of ``blocks.html.j2`` and the style sheet
  ``report.css``: one self-contained HTML file, autoescaped, figures embedded as base64 PNG.

Run, sweep and propose reports all go through these templates. The output depends only
on the document (and the figure files), so the same document always gives the same bytes.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import jinja2

from simulation.report.document import Document, FigureBlock

TEMPLATE_PACKAGE = "simulation.report"
TEMPLATE_FOLDER = "templates"
MARKDOWN_TEMPLATE = "report.md.j2"
HTML_TEMPLATE = "report.html.j2"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&$])")
_MD_LIST_START = re.compile(r"^([ \t]*)([-+]|\d+[.)])(\s)")
_WHITESPACE = re.compile(r"\s+")


def md_escape(text: str) -> str:
    """Escape Markdown (CommonMark) punctuation in user text; newlines become spaces.

    Parameters
    ----------
    text
        Plain text (anything else is shown with ``str``).

    Returns
    -------
    str
        The text with ``\\ ` * _ { } [ ] < > # | ~ ! & $`` backslash-escaped (``$`` because
        GitHub reads ``$...$`` as mathematics), a leading list marker (``-``, ``+``, ``1.``)
        escaped, and runs of whitespace made one space.

    Examples
    --------
    >>> md_escape("a_b | <i>")
    'a\\\\_b \\\\| \\\\<i\\\\>'
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text))
    escaped = _MD_LIST_START.sub(r"\1\\\2\3", escaped)
    return _WHITESPACE.sub(" ", escaped)


def md_code(text: str) -> str:
    """Inline code in Markdown, shown as it is; runs of whitespace become one space.

    The fence is one backtick, or more than the longest run of backticks in the text; text
    that starts or ends with a backtick is padded with a space (which CommonMark strips).

    Examples
    --------
    >>> md_code("a_b"), md_code("x`y"), md_code("`c`")
    ('`a_b`', '``x`y``', '`` `c` ``')
    """
    body = _WHITESPACE.sub(" ", str(text))
    runs = [len(r) for r in re.findall(r"`+", body)]
    ticks = "`" * (max(runs) + 1 if runs else 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{ticks}{body}{ticks}"


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates.

    Templates whose names end in ``.html.j2`` are autoescaped; the Markdown ones are not
    (they escape with the ``md_escape`` and ``md_code`` filters). Undefined names are errors.

    Returns
    -------
    jinja2.Environment
        One shared environment (templates are compiled once).
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATE_PACKAGE, TEMPLATE_FOLDER),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md_escape"] = md_escape
    env.filters["md_code"] = md_code
    return env


def _finish(text: str) -> str:
    """The rendered text without trailing blank lines, ending in one newline."""
    return text.rstrip() + "\n"


def render_markdown(document: Document) -> str:
    """Render a document as Markdown (figures linked from ``figures/<name>.png`` and ``.svg``).

    Parameters
    ----------
    document
        The report.

    Returns
    -------
    str
        The Markdown text, ending in a newline.
    """
    template = environment().get_template(MARKDOWN_TEMPLATE)
    return _finish(template.render(document=document))


def render_html(document: Document, figures_dir: str | Path | None = None) -> str:
    """Render a document as one self-contained HTML file.

    Parameters
    ----------
    document
        The report.
    figures_dir
        The folder holding ``<name>.png`` of every figure block, embedded as base64 PNG;
        needed only if the document has figures.

    Returns
    -------
    str
        The HTML text, ending in a newline.

    Raises
    ------
    ValueError
        If the document has figures and ``figures_dir`` is not given.
    """
    if document.figures and figures_dir is None:
        raise ValueError("the document has figures: figures_dir is needed to embed them")
    folder = Path(figures_dir) if figures_dir is not None else None

    def figure_src(figure: FigureBlock) -> str:
        assert folder is not None  # checked above
        data = base64.b64encode((folder / f"{figure.name}.png").read_bytes()).decode("ascii")
        return f"data:image/png;base64,{data}"

    template = environment().get_template(HTML_TEMPLATE)
    return _finish(template.render(document=document, figure_src=figure_src))
