"""Find anything: one search box across reviews, findings, actions and briefings, showing
only what the reader may open (the service scopes it through ``sgreviews.policy``)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from sgreviews.policy import Permission
from sgreviews.services.search import engine, results
from sgreviews.services.search.config import load_search_settings
from sgreviews.web.access import requires

blueprint = Blueprint("search", __name__)

MAX_QUERY = 200


@blueprint.route("/search")
@requires(Permission.VIEW_LEARNING)
def search() -> str:
    typed = request.args.get("q", "").strip()[:MAX_QUERY]
    outcome = None
    found: list[results.Result] = []
    if typed:
        settings = load_search_settings(
            current_app.extensions["sgreviews.settings"].config_dir / "search.toml"
        )
        outcome = engine.search(current_user, typed, settings)
        found = results.describe(outcome.hits)
    return render_template(
        "search/results.html",
        typed=typed,
        found=found,
        corrections=outcome.corrections if outcome else [],
        limit=engine.LIMIT,
    )
