"""The yearly report as Markdown, HTML, PDF (WeasyPrint) and Word (python-docx)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask import render_template

from sgreviews.clock import LONDON, london_today
from sgreviews.markdown_filter import render_markdown
from sgreviews.services.reports.narrative import FOREWORD_TITLE
from sgreviews.services.reports.yearly import YearlyReport

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: counter(page); font-size: 9pt; } }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #0b0c0c; }
h1 { font-size: 20pt; margin: 0 0 4pt; }
h2 { font-size: 14pt; margin: 16pt 0 6pt; border-bottom: 1px solid #b1b4b6; }
.caption { color: #505a5f; margin: 0 0 12pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 3pt 4pt; text-align: left; }
td { vertical-align: top; }
th { font-weight: bold; }
.signed-off { font-weight: bold; margin: 0 0 12pt; }
.public-note { border-left: 4px solid #1d70b8; padding-left: 8pt; }
"""


def to_markdown(report: YearlyReport) -> str:
    lines = [f"# {report.title}", "", f"{report.partnership}. {report.year.long_label}.", ""]
    if report.public:
        lines += ["*Public version: counts below 5 are shown as “fewer than 5”.*", ""]
    if report.foreword:
        lines += [f"## {FOREWORD_TITLE}", "", report.foreword, ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.table is not None:
            lines.append("| " + " | ".join(section.table.headers) + " |")
            lines.append("|" + "---|" * len(section.table.headers))
            for row in section.table.rows:
                cells = [str(cell).replace("|", "\\|") for cell in row]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        if section.commentary:
            lines += [section.commentary, ""]
    return "\n".join(lines)


def to_print_html(report: YearlyReport, signed_off: str | None = None) -> str:
    """The print document; ``signed_off`` ("Signed off on ... by ...") heads a signed-off
    version."""
    return render_template("reports/yearly_print.html", report=report, signed_off=signed_off)


# Tagged PDF for accessibility (PDF/UA-1: structure tags, the document's language and
# title): the published report and the briefings are read with screen readers.
PDF_VARIANT = "pdf/ua-1"
LANGUAGE = "en-GB"


def to_pdf(report: YearlyReport) -> bytes:
    return html_to_pdf(to_print_html(report))


def html_to_pdf(html: str) -> bytes:
    """A tagged, accessible PDF of a print document (a signed-off report's stored one, or
    one rendered now)."""
    # Imported here, when a PDF is made: WeasyPrint loads Pango and HarfBuzz, and the app
    # must start (and serve every other page) on a server without them.
    from weasyprint import CSS, HTML

    pdf: bytes = HTML(string=html).write_pdf(
        stylesheets=[CSS(string=PRINT_CSS)], pdf_variant=PDF_VARIANT
    )
    return pdf


def _set_language(document: DocxDocument, language: str) -> None:
    """Every run's default language (what Word proofs against and screen readers speak)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_default = defaults.find(qn("w:rPrDefault"))
    if run_default is None:
        run_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_default)
    properties = run_default.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_default.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), language)


class _Blocks(HTMLParser):
    """The blocks of sanitised Markdown HTML as (kind, text): paragraphs, list items
    (bulleted or numbered) and headings, their inline markup reduced to text."""

    BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "blockquote", "pre", "td", "th"})

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._lists: list[str] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._lists.append(tag)
        elif tag in self.BLOCKS:
            if tag == "p" and self._open and self._open[-1][0] in ("bullet", "number"):
                return  # a loose list's paragraph belongs to its item
            kind = tag
            if tag == "li":
                kind = "number" if self._lists and self._lists[-1] == "ol" else "bullet"
            self._open.append((kind, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag in self.BLOCKS and self._open:
            if tag == "p" and self._open[-1][0] in ("bullet", "number"):
                return
            kind, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if text:
                self.blocks.append((kind, text))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].append(data)


def _add_markdown(document: DocxDocument, text: str) -> None:
    """Narrative Markdown as Word paragraphs: rendered through the one sanitising filter,
    then each block as a paragraph, list item or heading."""
    parser = _Blocks()
    parser.feed(str(render_markdown(text)))
    styles = {"bullet": "List Bullet", "number": "List Number"}
    for kind, block in parser.blocks:
        if kind in ("h2", "h3", "h4"):
            document.add_heading(block, level=2)
        else:
            document.add_paragraph(block, style=styles.get(kind))


def to_docx(report: YearlyReport, today: date | None = None) -> bytes:
    """The report as a Word document: A4, British English, the partnership as its author
    and today's date as when it was made."""
    today = today or london_today()
    document = Document()
    for page in document.sections:
        page.page_width = Mm(210)
        page.page_height = Mm(297)
    properties = document.core_properties
    properties.author = report.partnership
    properties.last_modified_by = report.partnership
    properties.title = f"{report.title}: {report.partnership}"
    properties.language = LANGUAGE
    # Word stores the moment in UTC; noon in London keeps the date whatever the season.
    made = datetime.combine(today, time(12), tzinfo=LONDON).astimezone(UTC)
    properties.created = made
    properties.modified = made
    _set_language(document, LANGUAGE)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    document.add_heading(report.title, level=0)
    document.add_paragraph(f"{report.partnership}. {report.year.long_label}.")
    if report.public:
        document.add_paragraph("Public version: counts below 5 are shown as “fewer than 5”.")
    if report.foreword:
        document.add_heading(FOREWORD_TITLE, level=1)
        _add_markdown(document, report.foreword)
    for section in report.sections:
        document.add_heading(section.title, level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        if section.table is not None:
            table = document.add_table(rows=1, cols=len(section.table.headers))
            table.style = "Light List"
            for cell, header in zip(table.rows[0].cells, section.table.headers, strict=True):
                cell.text = str(header)
            for row in section.table.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = str(value)
        if section.commentary:
            _add_markdown(document, section.commentary)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
