"""Reminders: what is due (``subjects``, ``sources``), who is told (``directory``), the
ledger of decisions (``decisions``), digests (``digests``), the job lock (``lock``), the
daily run and its preview (``run``, with ``workers``), the secretariat's snoozes
(``snoozes``), the rules (``rules``) and their wiring into the app (``wiring``). The
in-app notifications a run leaves are read through :mod:`sgreviews.services.notifications`."""
