"""The configured transport behind one interface: a session that sends messages one by
one (:func:`mail_session`), and a check that it is reachable (:func:`check_connection`)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sgreviews.services.mail import graph, notify, smtp
from sgreviews.services.mail.base import Mail, MailError
from sgreviews.services.mail.config import MailSettings

Send = Callable[[Mail], None]


@contextmanager
def mail_session(settings: MailSettings) -> Iterator[Send]:
    """A sender for the configured transport. Opening it (connecting, signing in, getting
    a token) may raise :class:`MailError` for the whole transport; so may each send."""
    if not settings.usable:
        raise MailError("; ".join(settings.problems), permanent=True, whole_transport=True)
    if settings.transport == "graph":
        with graph.graph_session(settings) as send:
            yield send
    elif settings.transport == "notify":
        with notify.notify_session(settings) as send:
            yield send
    else:
        with smtp.smtp_connection(settings) as connection:

            def send_smtp(mail: Mail) -> None:
                smtp.send(connection, settings, mail)

            yield send_smtp


def check_connection(settings: MailSettings) -> list[str]:
    """Problems with the mail configuration, including whether the service answers and
    accepts the credentials (SMTP: signs in; Graph: gets a token; Notify: reads the
    template). Sends nothing, never raises."""
    if not settings.usable:
        return list(settings.problems)
    try:
        if settings.transport == "graph":
            graph.token(settings)
        elif settings.transport == "notify":
            return notify.check_template(settings)
        else:
            with smtp.smtp_connection(settings) as connection:
                connection.noop()
    except (MailError, OSError, smtplib.SMTPException) as error:
        return [str(error)]
    return []
