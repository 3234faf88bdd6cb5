"""Worker threads for the phases of a reminder run (the decisions, then the digests).

The same piece of work runs in several threads at once, each in the application's
context and on its own database connection and transactions (as separate processes
would), so one thread computes while another waits on the database. The work itself
shares a cursor that hands each thread its next page or batch.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import current_app

from sgreviews.extensions import db

Result = TypeVar("Result")


def in_worker_threads(
    work: Callable[[], Result], workers: int, thread_name_prefix: str
) -> list[Result]:
    """Run ``work`` in ``workers`` threads at once and return their results in the order
    the threads were started (a failure in a thread is raised here). With one worker (or
    fewer), ``work`` runs once, here, in the caller's context and session."""
    if workers <= 1:
        return [work()]
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def in_app_context() -> Result:
        with app.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=thread_name_prefix) as pool:
        futures = [pool.submit(in_app_context) for _ in range(workers)]
        return [future.result() for future in futures]
