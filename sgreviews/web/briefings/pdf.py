"""A briefing as a PDF, made by WeasyPrint from the same template and print styles as the
reading view, so the download looks like the printed page.

WeasyPrint is imported when a PDF is made, not when the app starts: it loads Pango and
HarfBuzz, and a server without them should lose only the PDFs, not every page."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, render_template
from werkzeug.wrappers import Response

from sgreviews.services.briefings import pdf_cache
from sgreviews.services.reports.formats import PDF_VARIANT


def render_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # here, not at the top: see the module's docstring

    html = render_template("briefings/pdf.html", **context)
    static = current_app.static_folder or ""
    # Stylesheets are read from the built static folder; nothing is fetched over HTTP.
    document = HTML(string=html, base_url=f"{static}/")
    # Tagged (PDF/UA-1), like the yearly report: briefings are read with screen readers.
    return document.write_pdf(pdf_variant=PDF_VARIANT)  # type: ignore[no-any-return]


def briefing_pdf_response(context: dict[str, Any]) -> Response:
    """The PDF download; a published version's PDF is made once and then read from the
    cache (``services.briefings.pdf_cache``)."""
    version = context["version"]
    title = version.title
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "briefing"
    return Response(
        pdf_cache.briefing_pdf(context["briefing"].id, version, lambda: render_pdf(context)),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{slug}.pdf"'},
    )
