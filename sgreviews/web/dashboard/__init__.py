"""The chair's dashboard: one blueprint (``dashboard``, made in `views`), its routes in two
modules: `views` (figures, tables, the log of challenge, budgets, the live yearly report),
`signoff_views` (signing off the yearly report and its signed-off versions) and
`narrative_views` (the report's foreword and commentary). Importing this package imports
them all, so every route is on the blueprint before the app registers it."""

from sgreviews.web.dashboard import narrative_views, signoff_views, views
from sgreviews.web.dashboard.views import blueprint

__all__ = ["blueprint", "narrative_views", "signoff_views", "views"]
