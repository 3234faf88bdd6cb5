"""Partnerships and agencies: the directory and an administrator's changes to
agencies."""
