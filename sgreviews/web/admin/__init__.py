"""Administration: users and agencies (``views``, which makes the blueprint) and
partnerships (``partnership_views``). Importing this package registers every route."""

from sgreviews.web.admin import partnership_views, views
from sgreviews.web.admin.views import blueprint

__all__ = ["blueprint", "partnership_views", "views"]
