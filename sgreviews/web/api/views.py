"""The OpenAPI document itself: public, so tools can read it before they hold a token."""

from __future__ import annotations

from flask import Response

from sgreviews.web.access import public
from sgreviews.web.api.common import blueprint, tagged
from sgreviews.web.api.openapi import document


@blueprint.route("/openapi.json")
@public
def openapi() -> Response:
    return tagged(document())
