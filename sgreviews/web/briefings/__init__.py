"""Briefings and the learning library: one blueprint (``briefings``), its routes in two
modules.

- `views`: for readers: the library, reading, PDFs, the public view, team use and reach;
- `editor_views`: for the secretariat: the list, the editor and its workflow, the
  personal-data check, versions, public-access settings and links.

`common` holds the blueprint and what both share. Importing this package imports both
view modules, so every route is on the blueprint before the app registers it."""

from sgreviews.web.briefings import editor_views, views
from sgreviews.web.briefings.common import blueprint

__all__ = ["blueprint", "editor_views", "views"]
