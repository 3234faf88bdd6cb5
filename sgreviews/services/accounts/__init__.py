"""Accounts: users and signing in, passwords, single-use links, two-factor
authentication and the mail that carries links."""
