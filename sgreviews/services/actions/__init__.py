"""SMART actions: ``writes`` (creating, editing, progress, extensions, assurance, closing,
impact), ``reads`` (one action, its history, the workspace's look-ups), ``lists`` (filtered
lists and pages with their ratings), ``evidence``, ``rag`` (the RAG rule) and ``rag_sql``
(its SQL forms), ``plan`` (the Master Action Plan), ``spreadsheet_export`` and
``tracker_import``, and the running tallies with the hooks that keep them (``tallies``,
``plan_tally``, registered by ``tally_hooks`` from ``create_app``)."""
