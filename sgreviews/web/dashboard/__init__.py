"""The chair's dashboard: one blueprint (``dashboard``, made in `views`), its routes in two
modules: `views` (figures, tables, the log of challenge, budgets, the live yearly report)
and `signoff_views` (signing off the yearly report and its signed-off versions). Importing
this package imports both, so every route is on the blueprint before the app registers it."""

from sgreviews.web.dashboard import signoff_views, views
from sgreviews.web.dashboard.views import blueprint

__all__ = ["blueprint", "signoff_views", "views"]
