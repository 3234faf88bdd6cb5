"""Outgoing mail: the outbox that delivers messages written in the same transaction as
their decisions, and the SMTP transport."""
