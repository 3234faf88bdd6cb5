"""The action pages: one blueprint (``actions``), its routes in modules by what they do.

- `views`: the action page, creating and editing an action;
- `progress_views`: progress updates and evidence;
- `extension_views`: extension requests and decisions;
- `assurance_views`: assurance, closing and impact;
- `workspace_views`: the agency lead workspace;
- `correction_views`: removing or replacing evidence, correcting a progress note, and
  removed files for administrators.

`common` holds the blueprint and what they share. Importing this package imports every
view module, so every route is on the blueprint before the app registers it."""

from sgreviews.web.actions import (
    assurance_views,
    correction_views,
    extension_views,
    progress_views,
    views,
    workspace_views,
)
from sgreviews.web.actions.common import blueprint

__all__ = [
    "assurance_views",
    "blueprint",
    "correction_views",
    "extension_views",
    "progress_views",
    "views",
    "workspace_views",
]
