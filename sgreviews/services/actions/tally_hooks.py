"""Registering the ORM hooks that keep the running tallies exact (``tallies``: the
dashboard's; ``plan_tally``: the Master Action Plan's, and ``Action.review_count``).

``create_app`` calls ``register_tally_hooks`` once per application; every path that writes
actions (web requests, the CLI, the scheduler, the demo generator, the tests) goes through
``create_app``, so none writes without them. Importing a model or a service registers
nothing. SQLAlchemy's listeners are process-wide (on the mapped classes and the
``Session`` class), so a second ``create_app`` in one process (tests build several apps)
must not register them again: each would then count every change twice.
"""

from __future__ import annotations

from sqlalchemy import event

from sgreviews.services.actions import plan_tally, tallies


def register_tally_hooks() -> None:
    """Listen with every tally hook, in the order the tallies are kept (the dashboard's,
    then the plan's); a hook already listening is left as it is."""
    for target, identifier, hook in [*tallies.LISTENERS, *plan_tally.LISTENERS]:
        if not event.contains(target, identifier, hook):
            event.listen(target, identifier, hook)
