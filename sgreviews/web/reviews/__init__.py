"""The review lifecycle screens: one blueprint (``reviews``), its routes in three modules.

- `views`: the list, one review, and creating a review;
- `lifecycle_views`: the steps a review moves through (rapid review, decision,
  commissioning, stages, holds, publication, Home Office quality assurance);
- `record_views`: what is kept beside them (monitoring, links, agencies, details, family);
- `correction_views`: undoing a stage move, moving a misfiled review, withdrawing one;
- `submission_views`: submissions to external bodies, their replies and resubmissions.

`common` holds the blueprint and what the three share. Importing this package imports
the three modules, so every route is on the blueprint before the app registers it."""

from sgreviews.web.reviews import (
    correction_views,
    lifecycle_views,
    record_views,
    submission_views,
    views,
)
from sgreviews.web.reviews.common import blueprint

__all__ = [
    "blueprint",
    "correction_views",
    "lifecycle_views",
    "record_views",
    "submission_views",
    "views",
]
