"""Report rendering (issue 13, item 6): one document model, Markdown and HTML from Jinja2
templates, escaping user text in every block; the templates ship with the package.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from simulation.report import rendering
from simulation.report.document import (
    BulletList,
    Document,
    FigureBlock,
    Heading,
    NumberedList,
    Paragraph,
    Table,
    bold,
    code,
    text,
)
from simulation.report.rendering import md_escape, render_html, render_markdown

NASTY = "<script>alert(1)</script> a|b *c* $5"


def test_markdown_escapes_user_text_in_every_block():
    # fault: `$` was not escaped (GitHub reads $...$ as mathematics)
    assert md_escape("costs $5 or $6") == r"costs \$5 or \$6"
    doc = Document(
        NASTY,
        [
            Heading(NASTY),
            Paragraph(text("plain ", NASTY, " ", bold(NASTY), " ", code("a|b `c`"))),
            BulletList([text(NASTY)]),
            NumberedList([text(bold("Step"), " one")], start=2),
        ],
    )
    md = render_markdown(doc)
    escaped = r"\<script\>alert(1)\</script\> a\|b \*c\* \$5"
    assert md.splitlines() == [
        f"# {escaped}",
        "",
        f"## {escaped}",
        "",
        f"plain {escaped} **{escaped}** `` a|b `c` ``",
        "",  # code as it is, padded: ends in `
        f"- {escaped}",
        "",
        "2. **Step** one",
    ]
    assert "<script>" not in md


def test_html_is_autoescaped_in_every_block():
    doc = Document(
        NASTY,
        [
            Heading(NASTY, 3),
            Paragraph(text(NASTY, bold(NASTY), code(NASTY))),
            BulletList([text(NASTY)]),
            NumberedList([text(NASTY)], start=3),
            Table([NASTY], [[text(NASTY)]], caption=NASTY),
        ],
    )
    page = render_html(doc)
    assert "<script>" not in page
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; a|b *c* $5"
    assert f"<title>{escaped}</title>" in page and f"<h1>{escaped}</h1>" in page
    assert f"<h3>{escaped}</h3>" in page
    assert f"<p>{escaped}<strong>{escaped}</strong><code>{escaped}</code></p>" in page
    assert f"<ul><li>{escaped}</li></ul>" in page
    assert f'<ol start="3"><li>{escaped}</li></ol>' in page
    assert f"<caption>{escaped}</caption>" in page and f"<th>{escaped}</th>" in page
    assert page.startswith("<!DOCTYPE html>\n") and page.endswith("</html>\n")
    assert "<style>body{" in page  # the style sheet is inlined


def test_table_and_figure_blocks_in_both_formats(tmp_path):
    table = Table(
        ["area", "needs"],
        [[text(code("north")), text("1,200")], [text("a|b"), text("7")]],
        caption="Areas",
        numeric={1},
    )
    figure = FigureBlock("map", 1, "Areas & offices", "Circles are areas.")
    doc = Document("Report", [table, figure])
    assert render_markdown(doc) == (
        "# Report\n\n"
        "*Areas*\n\n"
        "| area | needs |\n"
        "|---|---:|\n"
        "| `north` | 1,200 |\n"
        r"| a\|b | 7 |"
        "\n\n"
        r"### Figure 1. Areas \& offices"
        "\n\n"
        r"![Areas \& offices](figures/map.png)"
        "\n\n"
        "*Figure 1. Circles are areas.* ([SVG](figures/map.svg))\n"
    )
    png = b"\x89PNG\r\n\x1a\n not really a picture"
    (tmp_path / "map.png").write_bytes(png)
    page = render_html(doc, tmp_path)
    assert (
        "<table>\n<caption>Areas</caption>\n<thead><tr><th>area</th><th>needs</th></tr></thead>\n"
        '<tbody>\n<tr><td><code>north</code></td><td class="num">1,200</td></tr>\n'
        '<tr><td>a|b</td><td class="num">7</td></tr>\n</tbody>\n</table>'
    ) in page
    data = base64.b64encode(png).decode("ascii")
    assert (
        f'<figure id="figure-1">\n<h3>Figure 1. Areas &amp; offices</h3>\n'
        f'<img alt="Areas &amp; offices" src="data:image/png;base64,{data}">\n'
        "<figcaption>Figure 1. Circles are areas.</figcaption>\n</figure>"
    ) in page
    with pytest.raises(ValueError, match="figures_dir"):
        render_html(doc)


def test_templates_ship_with_the_package():
    folder = Path(rendering.__file__).parent / "templates"
    names = {p.name for p in folder.iterdir()}
    assert {
        "report.md.j2",
        "blocks.md.j2",
        "report.html.j2",
        "blocks.html.j2",
        "report.css",
    } <= names
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates/*.j2"' in pyproject and '"templates/*.css"' in pyproject
