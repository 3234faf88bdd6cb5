"""Outgoing mail: the outbox that delivers messages written in the same transaction as
their decisions, through the transport chosen by SGREVIEWS_MAIL_TRANSPORT: SMTP
(``smtp``), Microsoft Graph (``graph``) or GOV.UK Notify (``notify``); ``config`` reads
and checks their settings, ``oauth`` gets and caches client-credentials tokens."""
