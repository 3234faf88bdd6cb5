"""Reminders: what is due (``subjects``, ``sources``), who is told (``directory``), the
ledger of decisions (``decisions``), digests (``digests``), the job lock (``lock``), the
daily run and its preview (``run``, with ``workers``), in-app notifications and snoozes
(``notifications``), the rules (``rules``) and their wiring into the app (``wiring``)."""
