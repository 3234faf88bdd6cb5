"""What the API's views share: the blueprint, JSON responses with entity tags (a matching
``If-None-Match`` gets 304 Not Modified), and the RAG rules."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, request

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

JSON_MIMETYPE = "application/json"


def tagged(body: Any, *, status: int = 200) -> Response:
    """``body`` as JSON with a weak entity tag of its bytes; a GET whose If-None-Match
    holds that tag gets 304 with no body. ``private, no-cache``: a client may keep the copy
    but must ask again each time (the tag makes asking cheap); no shared cache keeps it."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(data, status=status, mimetype=JSON_MIMETYPE)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32], weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    if status == 200 and request.method in ("GET", "HEAD"):
        response.make_conditional(request)
    return response
