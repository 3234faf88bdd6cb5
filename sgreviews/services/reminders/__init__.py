"""Reminders: what is due, who is told, the ledger of decisions, digests, in-app
notifications and the daily run."""
