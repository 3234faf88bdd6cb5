"""The JSON API under ``/api/v1`` (issue 21): reading calls in ``read_views``, the progress
update in ``write_views``, the OpenAPI document in ``openapi`` (served by ``views``).
Authentication by personal access token (``web/api_auth.py``), errors as problem details
(``web/api_problems.py``); the policy decides every call as it does for the pages."""

from sgreviews.web.api import read_views, views, write_views
from sgreviews.web.api.common import blueprint

__all__ = ["blueprint", "read_views", "views", "write_views"]
