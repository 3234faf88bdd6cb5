"""The register of national reviews tabled (issue 18, item 5): one blueprint
(``national_reviews``), its routes in ``views``. Importing this package imports them, so
every route is on the blueprint before the app registers it."""

from sgreviews.web.national_reviews import views
from sgreviews.web.national_reviews.views import blueprint

__all__ = ["blueprint", "views"]
