"""The benchmark "floor": a bare page of a configured size (``SGREVIEWS_BENCHMARK_FLOOR_BYTES``)
served by the same stack as every page (WSGI, session, sign-in check, security headers) but
with no template and no query of its own, so benchmarks/pages.py can compare a real page's
throughput with the stack's for a body of the same size. Registered only when the setting
is on; the settings refuse it in production."""

from __future__ import annotations

from flask import Blueprint, current_app
from werkzeug.wrappers import Response

from sgreviews.web.access import signed_in

blueprint = Blueprint("benchmark", __name__, url_prefix="/benchmark")

_HEAD = b'<!DOCTYPE html>\n<html lang="en"><head><title>Floor</title></head><body><p>'
_TAIL = b"</p></body></html>\n"


def floor_body(size: int) -> bytes:
    """An HTML page of exactly ``size`` bytes (at least the bare markup)."""
    filler = max(size - len(_HEAD) - len(_TAIL), 0)
    return _HEAD + b"x" * filler + _TAIL


@blueprint.route("/floor")
@signed_in
def floor() -> Response:
    size = current_app.extensions["sgreviews.settings"].benchmark_floor_bytes
    return Response(floor_body(size), mimetype="text/html")
