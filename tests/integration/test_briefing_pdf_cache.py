"""The public briefing PDF is made once per published version and kept; a new publication
makes it again; the public route is rate limited per client address."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from sgreviews.extensions import db
from sgreviews.models import Briefing, Partnership, Role
from sgreviews.services.briefings import pdf_cache, public_access
from sgreviews.services.briefings import workflow as briefing_workflow
from tests import factories
from tests.briefing_helpers import draft_briefing, published_briefing
from tests.conftest import make_test_app


def _public_briefing(app: Flask) -> int:
    with app.app_context():
        briefing = published_briefing()
        partnership = db.session.get(Partnership, briefing.partnership_id)
        assert partnership is not None
        public_access.set_public(partnership, True, actor=factories.user(Role.ADMINISTRATOR))
        db.session.commit()
        return briefing.id


def _renders(app: Flask) -> int:
    with app.app_context():
        return pdf_cache.renders()


def _text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_second_request_reads_the_kept_pdf_and_a_new_publication_remakes_it(
    app: Flask,
) -> None:
    briefing_id = _public_briefing(app)
    anonymous = app.test_client()
    before = _renders(app)
    first = anonymous.get(f"/public/briefings/{briefing_id}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert _renders(app) == before + 1
    second = anonymous.get(f"/public/briefings/{briefing_id}.pdf")
    assert second.status_code == 200
    assert _renders(app) == before + 1  # not made again
    assert second.data == first.data
    assert "Testing accounts against history" in _text(second.data)

    # A new version published: the kept file goes, the next request makes the new one.
    with app.app_context():
        briefing = db.session.get(Briefing, briefing_id)
        assert briefing is not None and briefing.published is not None
        old = briefing.published
        assert pdf_cache.cached(briefing_id, old)
        actor = factories.user(Role.SECRETARIAT)
        version = briefing_workflow.new_version(briefing, actor=actor)
        version.title = "Testing accounts again"
        briefing_workflow.submit_for_review(briefing, actor=actor)
        briefing_workflow.publish(briefing, actor=actor)
        assert not pdf_cache.cached(briefing_id, old)
        db.session.commit()
    third = anonymous.get(f"/public/briefings/{briefing_id}.pdf")
    assert third.status_code == 200
    assert _renders(app) == before + 2
    assert "Testing accounts again" in _text(third.data)
    anonymous.get(f"/public/briefings/{briefing_id}.pdf")
    assert _renders(app) == before + 2


def test_a_draft_pdf_is_made_each_time_and_never_kept(
    app: Flask, client_for: Callable[..., FlaskClient]
) -> None:
    """A draft changes without a new version number, so its PDF is never kept."""
    with app.app_context():
        briefing_id = draft_briefing(title="A draft briefing").id
        db.session.commit()
    secretariat = client_for(Role.SECRETARIAT)
    before = _renders(app)
    first = secretariat.get(f"/briefings/{briefing_id}.pdf")
    assert first.status_code == 200
    assert secretariat.get(f"/briefings/{briefing_id}.pdf").status_code == 200
    assert _renders(app) == before + 2


def test_the_public_pdf_is_rate_limited_per_address(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    briefing_id = _public_briefing(app)
    limited = make_test_app(
        database_url,
        tmp_path / uuid.uuid4().hex,
        SGREVIEWS_PUBLIC_PDF_RATE_LIMIT="2 per minute",
        SGREVIEWS_RATELIMIT_STORAGE_URI="memory://",
    )
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert client.get(f"/public/briefings/{briefing_id}.pdf").status_code == 200
    assert client.get(f"/public/briefings/{briefing_id}.pdf").status_code == 200
    assert client.get(f"/public/briefings/{briefing_id}.pdf").status_code == 429
    # Another address has its own count.
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.6"
    assert other.get(f"/public/briefings/{briefing_id}.pdf").status_code == 200
