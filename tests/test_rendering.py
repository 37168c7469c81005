"""Report rendering (issue 13, item 6): one document model, Markdown and HTML from Jinja2 templates.

Covers the fault that run/sweep reports and the propose report each had hand-written writers
(``report.to_markdown``/``to_html``, ``propose/output.py``'s own Markdown), with the propose
report not escaping user text at all: every report is now a
:class:`simulation.document.Document` rendered by the templates of :mod:`simulation.rendering`.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from simulation import rendering
from simulation.document import (
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
from simulation.rendering import md_escape, render_html, render_markdown

DATA = Path(__file__).parent / "data"
NASTY = "<script>alert(1)</script> a|b *c* $5"
MARK = "rendered-by-a-changed-template"


def test_markdown_escapes_user_text_in_every_block():
    # fault: `$` was not escaped (GitHub reads $...$ as mathematics)
    assert md_escape("costs $5 or $6") == r"costs \$5 or \$6"
    doc = Document(NASTY, [
        Heading(NASTY),
        Paragraph(text("plain ", NASTY, " ", bold(NASTY), " ", code("a|b `c`"))),
        BulletList([text(NASTY)]),
        NumberedList([text(bold("Step"), " one")], start=2),
    ])
    md = render_markdown(doc)
    escaped = r"\<script\>alert(1)\</script\> a\|b \*c\* \$5"
    assert md.splitlines() == [
        f"# {escaped}", "",
        f"## {escaped}", "",
        f"plain {escaped} **{escaped}** `` a|b `c` ``", "",  # code as it is, padded: ends in `
        f"- {escaped}", "",
        "2. **Step** one",
    ]
    assert "<script>" not in md


def test_html_is_autoescaped_in_every_block():
    doc = Document(NASTY, [
        Heading(NASTY, 3),
        Paragraph(text(NASTY, bold(NASTY), code(NASTY))),
        BulletList([text(NASTY)]),
        NumberedList([text(NASTY)], start=3),
        Table([NASTY], [[text(NASTY)]], caption=NASTY),
    ])
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
    table = Table(["area", "needs"], [[text(code("north")), text("1,200")], [text("a|b"), text("7")]],
                  caption="Areas", numeric={1})
    figure = FigureBlock("map", 1, "Areas & offices", "Circles are areas.")
    doc = Document("Report", [table, figure])
    assert render_markdown(doc) == (
        "# Report\n\n"
        "*Areas*\n\n"
        "| area | needs |\n"
        "|---|---:|\n"
        "| `north` | 1,200 |\n"
        r"| a\|b | 7 |" "\n\n"
        r"### Figure 1. Areas \& offices" "\n\n"
        r"![Areas \& offices](figures/map.png)" "\n\n"
        "*Figure 1. Circles are areas.* ([SVG](figures/map.svg))\n"
    )
    png = b"\x89PNG\r\n\x1a\n not really a picture"
    (tmp_path / "map.png").write_bytes(png)
    page = render_html(doc, tmp_path)
    assert ('<table>\n<caption>Areas</caption>\n<thead><tr><th>area</th><th>needs</th></tr></thead>\n'
            '<tbody>\n<tr><td><code>north</code></td><td class="num">1,200</td></tr>\n'
            '<tr><td>a|b</td><td class="num">7</td></tr>\n</tbody>\n</table>') in page
    data = base64.b64encode(png).decode("ascii")
    assert (f'<figure id="figure-1">\n<h3>Figure 1. Areas &amp; offices</h3>\n'
            f'<img alt="Areas &amp; offices" src="data:image/png;base64,{data}">\n'
            "<figcaption>Figure 1. Circles are areas.</figcaption>\n</figure>") in page
    with pytest.raises(ValueError, match="figures_dir"):
        render_html(doc)


def test_templates_ship_with_the_package():
    folder = Path(rendering.__file__).parent / "templates"
    names = {p.name for p in folder.iterdir()}
    assert {"report.md.j2", "blocks.md.j2", "report.html.j2", "blocks.html.j2", "report.css"} <= names
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates/*.j2"' in pyproject and '"templates/*.css"' in pyproject


# -- every report goes through the templates -------------------------------------------------


@pytest.fixture
def marked_templates(monkeypatch) -> None:
    """Report templates that add MARK at the end of the Markdown and of the HTML body."""
    base = rendering.environment()
    loader = base.loader
    assert loader is not None
    md = loader.get_source(base, rendering.MARKDOWN_TEMPLATE)[0] + f"\n{MARK}\n"
    page = loader.get_source(base, rendering.HTML_TEMPLATE)[0].replace("</body>", f"<p>{MARK}</p>\n</body>")
    env = base.overlay(loader=jinja2.ChoiceLoader([
        jinja2.DictLoader({rendering.MARKDOWN_TEMPLATE: md, rendering.HTML_TEMPLATE: page}), loader]))
    monkeypatch.setattr(rendering, "environment", lambda: env)


def _servicesim(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], check=True, capture_output=True)


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_run_and_sweep_reports_come_from_the_templates(kind, tmp_path, marked_templates):
    from simulation.report import build_report

    folder = tmp_path / kind
    if kind == "run":
        _servicesim("run", DATA / "tiny-base.yaml", "-r", "2", "--out", folder, "--no-report")
    else:
        _servicesim("sweep", DATA / "tiny.sweep.yaml", "-r", "2", "--workers", "1", "--out", folder,
                    "--no-report")
    build_report(folder)
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert md.startswith("# Simulation report: ") and md.endswith(f"{MARK}\n")
    assert f"<p>{MARK}</p>\n</body>" in page


def _region() -> dict[str, Any]:
    area = {"vulnerable": True, "demand": {"per_1000_per_year": 400}}
    return {
        "name": "synthetic",
        "calendar": {"start": "2023-01-02", "days": 7},
        "seed": 11,
        "errands": [{"id": "e", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 10}}],
        "areas": [
            {"id": "far", "population": 20000, "location": {"lat": 58.10, "lon": 16.0}, **area},
            {"id": "near", "population": 2000, "location": {"lat": 58.004, "lon": 16.0}, **area},
        ],
        "sites": [{"id": "office", "kind": "office", "location": {"lat": 58.0, "lon": 16.0}, "counters": 3,
                   "opening_hours": {"mon-fri": ["10:00-16:00"]}}],
        "travel": {"speed_kmh": 20, "detour_factor": 1.3, "within_area_minutes": 5},
    }


def test_propose_report_comes_from_the_templates_and_escapes_its_description(tmp_path, marked_templates):
    # fault: propose.md was written by hand and put the spec's description in raw
    from simulation.propose import propose

    (tmp_path / "region.yaml").write_text(yaml.safe_dump(_region()), encoding="utf-8")
    spec = {
        "base": "region.yaml",
        "description": NASTY,
        "units": [{"id": "van", "counters": 1, "setup_minutes": 30}],
        "budget": {"unit_days_per_week": 1, "hours_per_day": 4, "weekdays": ["mon"], "windows": ["10:00-14:00"]},
        "search": {"replications": 2},
        "selection": {"indifference": 20, "initial": 3, "max_replications": 3, "confirmation": 0},
        "seed": 5,
    }
    path = tmp_path / "tiny.propose.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    propose(path, workers=1, out=tmp_path / "out")
    md = (tmp_path / "out" / "propose.md").read_text(encoding="utf-8")
    assert md.startswith("# Proposal: ") and md.endswith(f"{MARK}\n")
    assert r"\<script\>alert(1)\</script\> a\|b \*c\* \$5" in md and "<script>" not in md
    for heading in ("## Verdict", "## Proposed timetable", "## Comparison", "## Method", "## Reproduce"):
        assert f"\n{heading}\n" in md
    assert "\n1. **Screening** " in md and "\n2. **Search** " in md and "\n3. **Selection** " in md
