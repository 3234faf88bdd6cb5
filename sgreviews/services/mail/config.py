"""Mail settings from the environment: which transport, and that transport's variables.

``SGREVIEWS_MAIL_TRANSPORT`` chooses ``smtp``, ``graph`` (Microsoft Graph ``sendMail``) or
``notify`` (GOV.UK Notify). Every problem is collected in ``MailSettings.problems``, each
naming its variable. Once mail is configured (a transport chosen, or an SMTP host set), a
problem stops start-up in one line (:meth:`MailSettings.refuse_if_misconfigured`, called
by the app factory's wiring). With nothing configured the app still starts (a laptop, the
tests): messages wait in the outbox and ``reminders run --dry-run`` and the reminder log
say why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sgreviews.settings import ConfigurationError, mail_transport

DEFAULT_FROM = "Safeguarding reviews <no-reply@sgreviews.invalid>"
ENTRA_AUTHORITY = "https://login.microsoftonline.com"
GRAPH_BASE_URL = "https://graph.microsoft.com"
NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
# What each transport asks the token endpoint for, by default.
DEFAULT_SCOPES = {
    "smtp": "https://outlook.office365.com/.default",
    "graph": "https://graph.microsoft.com/.default",
}
SMTP_SECURITY = ("starttls", "tls", "none")
SMTP_AUTH = ("none", "password", "xoauth2")
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    # "starttls" (upgrade a plain connection, usually port 587), "tls" (implicit TLS from
    # the first byte, SMTP_SSL, usually 465) or "none" (a relay on a trusted network).
    security: str
    # "none", "password" (AUTH LOGIN/PLAIN) or "xoauth2" (a bearer token, see OAuthSettings).
    auth: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class OAuthSettings:
    """Client credentials for an OAuth2 token endpoint (Entra ID unless the authority says
    otherwise): used by SMTP XOAUTH2 and by Microsoft Graph."""

    authority: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str


@dataclass(frozen=True)
class GraphSettings:
    base_url: str
    # The mailbox the messages are sent from: its address (user principal name) or id.
    mailbox: str
    save_to_sent_items: bool


@dataclass(frozen=True)
class NotifySettings:
    base_url: str
    api_key: str = field(repr=False)
    template_id: str
    reply_to_id: str


@dataclass(frozen=True)
class MailSettings:
    transport: str
    sender: str
    # True once the operator configured mail (start-up then refuses any problem).
    required: bool = False
    smtp: SmtpSettings | None = None
    oauth: OAuthSettings | None = None
    graph: GraphSettings | None = None
    notify: NotifySettings | None = None
    # A PEM file of certificate authorities trusted instead of the system's, for SMTP's TLS
    # and for HTTPS to the token endpoint, Graph and Notify.
    ca_file: str | None = None
    timeout_seconds: float = 20.0
    problems: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        """The destination, for people: "Mail server host:port", "Microsoft Graph ..."."""
        if self.smtp is not None:
            return f"Mail server {self.smtp.host}:{self.smtp.port}"
        if self.graph is not None:
            return f"Microsoft Graph {self.graph.base_url} (mailbox {self.graph.mailbox})"
        if self.notify is not None:
            return f"GOV.UK Notify {self.notify.base_url}"
        return f"Mail transport {self.transport or '(none)'}"

    def refuse_if_misconfigured(self) -> None:
        """Stop start-up, in one line naming each variable, when configured mail is wrong."""
        if self.required and self.problems:
            raise ConfigurationError("Mail is misconfigured: " + "; ".join(self.problems) + ".")

    @classmethod
    def from_env(cls, overrides: Mapping[str, str] | None = None) -> MailSettings:
        env = dict(os.environ)
        if overrides:
            env.update(overrides)
        return _parse(env)


def _parse(env: dict[str, str]) -> MailSettings:
    problems: list[str] = []
    sender = env.get("SGREVIEWS_MAIL_FROM", "").strip() or DEFAULT_FROM
    try:
        transport = mail_transport(env)
    except ConfigurationError as error:
        return MailSettings(transport="", sender=sender, required=True, problems=(str(error),))
    required = transport != ""
    transport = transport or "smtp"
    ca_file = env.get("SGREVIEWS_MAIL_CA_FILE", "").strip() or None
    if ca_file and not Path(ca_file).is_file():
        problems.append(f"SGREVIEWS_MAIL_CA_FILE {ca_file!r} is not a file")
    timeout = _timeout(env, problems)
    smtp = oauth = graph = notify = None
    if transport == "smtp":
        smtp = _smtp(env, problems)
        if smtp.auth == "xoauth2":
            oauth = _oauth(env, transport, problems)
    elif transport == "graph":
        oauth = _oauth(env, transport, problems)
        graph = _graph(env, problems)
    else:
        notify = _notify(env, problems)
    return MailSettings(
        transport=transport,
        sender=sender,
        required=required,
        smtp=smtp,
        oauth=oauth,
        graph=graph,
        notify=notify,
        ca_file=ca_file,
        timeout_seconds=timeout,
        problems=tuple(problems),
    )


def _timeout(env: dict[str, str], problems: list[str]) -> float:
    name = "SGREVIEWS_MAIL_TIMEOUT_SECONDS"
    raw = env.get(name, "").strip()
    if raw == "":
        return 20.0
    try:
        seconds = float(raw)
        if not 1 <= seconds <= 300:
            raise ValueError
    except ValueError:
        problems.append(f"{name} must be a number of seconds from 1 to 300, not {raw!r}")
        return 20.0
    return seconds


def _choice(
    env: dict[str, str], name: str, choices: tuple[str, ...], problems: list[str]
) -> str | None:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return None
    if raw not in choices:
        problems.append(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
        return None
    return raw


def _flag(env: dict[str, str], name: str, problems: list[str]) -> bool | None:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return None
    if raw not in TRUE + FALSE:
        problems.append(f"{name} must be true or false, not {raw!r}")
        return None
    return raw in TRUE


def _https_url(env: dict[str, str], name: str, default: str, problems: list[str]) -> str:
    """A base URL: https, or http to this machine only (tests, a local relay)."""
    url = env.get(name, "").strip().rstrip("/") or default
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if (
        not parts.hostname
        or parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not local)
    ):
        problems.append(f"{name} must be an https:// address, not {url!r}")
    return url


def _smtp(env: dict[str, str], problems: list[str]) -> SmtpSettings:
    host = env.get("SGREVIEWS_SMTP_HOST", "").strip()
    if not host:
        problems.append("SGREVIEWS_SMTP_HOST is not set: no mail server to send through")
    security = _choice(env, "SGREVIEWS_SMTP_SECURITY", SMTP_SECURITY, problems)
    # SGREVIEWS_SMTP_STARTTLS is the older switch: true means starttls, false means none.
    starttls = _flag(env, "SGREVIEWS_SMTP_STARTTLS", problems)
    raw_port = env.get("SGREVIEWS_SMTP_PORT", "").strip()
    port = 0
    if raw_port:
        try:
            port = int(raw_port)
            if not 0 < port < 65536:
                raise ValueError
        except ValueError:
            problems.append(f"SGREVIEWS_SMTP_PORT must be a port number, not {raw_port!r}")
            port = 0
    if security is None:
        if port == 465:
            security = "tls"
        elif starttls is False:
            security = "none"
        else:
            security = "starttls"
    elif starttls is not None and starttls != (security == "starttls") and security != "tls":
        problems.append(
            f"SGREVIEWS_SMTP_STARTTLS contradicts SGREVIEWS_SMTP_SECURITY={security}: "
            "leave SGREVIEWS_SMTP_STARTTLS unset"
        )
    if not raw_port:
        port = 465 if security == "tls" else 587
    username = env.get("SGREVIEWS_SMTP_USERNAME", "").strip()
    password = env.get("SGREVIEWS_SMTP_PASSWORD", "")
    auth = _choice(env, "SGREVIEWS_SMTP_AUTH", SMTP_AUTH, problems)
    if auth is None:
        auth = "password" if username else "none"
    if auth == "password":
        if not username:
            problems.append("SGREVIEWS_SMTP_USERNAME is not set (SGREVIEWS_SMTP_AUTH=password)")
        elif not password:
            problems.append("SGREVIEWS_SMTP_USERNAME is set but SGREVIEWS_SMTP_PASSWORD is not")
    if auth == "xoauth2" and not username:
        problems.append(
            "SGREVIEWS_SMTP_USERNAME is not set: SGREVIEWS_SMTP_AUTH=xoauth2 needs the "
            "mailbox address to sign in as"
        )
    if auth != "none" and security == "none":
        problems.append(
            f"SGREVIEWS_SMTP_AUTH={auth} without TLS (SGREVIEWS_SMTP_SECURITY=none or "
            "SGREVIEWS_SMTP_STARTTLS off): refusing to send credentials unencrypted"
        )
    return SmtpSettings(
        host=host, port=port, security=security, auth=auth, username=username, password=password
    )


def _oauth(env: dict[str, str], transport: str, problems: list[str]) -> OAuthSettings:
    tenant = env.get("SGREVIEWS_MAIL_OAUTH_TENANT_ID", "").strip()
    authority = env.get("SGREVIEWS_MAIL_OAUTH_AUTHORITY", "").strip().rstrip("/")
    if not authority:
        if not tenant:
            problems.append(
                "SGREVIEWS_MAIL_OAUTH_TENANT_ID is not set: the Entra ID tenant that issues "
                "the mail token"
            )
        authority = f"{ENTRA_AUTHORITY}/{tenant}"
    else:
        parts = urlsplit(authority)
        if parts.scheme != "https" or not parts.hostname or parts.path.strip("/") == "":
            problems.append(
                "SGREVIEWS_MAIL_OAUTH_AUTHORITY must be an https:// address with the tenant "
                f"in its path, not {authority!r}"
            )
    client_id = env.get("SGREVIEWS_MAIL_OAUTH_CLIENT_ID", "").strip()
    if not client_id:
        problems.append(
            "SGREVIEWS_MAIL_OAUTH_CLIENT_ID is not set: the application (client) id registered "
            "for sending mail"
        )
    secret = env.get("SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET", "")
    if not secret:
        problems.append("SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET is not set: the client secret")
    scope = env.get("SGREVIEWS_MAIL_OAUTH_SCOPE", "").strip() or DEFAULT_SCOPES[transport]
    return OAuthSettings(
        authority=authority, client_id=client_id, client_secret=secret, scope=scope
    )


def _graph(env: dict[str, str], problems: list[str]) -> GraphSettings:
    mailbox = env.get("SGREVIEWS_GRAPH_MAILBOX", "").strip()
    if not mailbox:
        problems.append(
            "SGREVIEWS_GRAPH_MAILBOX is not set: the mailbox (address or id) the mail is sent from"
        )
    save = _flag(env, "SGREVIEWS_GRAPH_SAVE_TO_SENT_ITEMS", problems)
    return GraphSettings(
        base_url=_https_url(env, "SGREVIEWS_GRAPH_BASE_URL", GRAPH_BASE_URL, problems),
        mailbox=mailbox,
        save_to_sent_items=bool(save),
    )


def _notify(env: dict[str, str], problems: list[str]) -> NotifySettings:
    api_key = env.get("SGREVIEWS_NOTIFY_API_KEY", "").strip()
    if not api_key:
        problems.append("SGREVIEWS_NOTIFY_API_KEY is not set: the GOV.UK Notify API key")
    elif not (len(api_key) >= 74 and UUID.match(api_key[-73:-37]) and UUID.match(api_key[-36:])):
        problems.append(
            "SGREVIEWS_NOTIFY_API_KEY is not a GOV.UK Notify API key (its name, then the "
            "service id and the secret key)"
        )
    template_id = env.get("SGREVIEWS_NOTIFY_TEMPLATE_ID", "").strip()
    if not template_id:
        problems.append(
            "SGREVIEWS_NOTIFY_TEMPLATE_ID is not set: the id of the email template with "
            "((subject)) and ((body))"
        )
    elif not UUID.match(template_id):
        problems.append(f"SGREVIEWS_NOTIFY_TEMPLATE_ID must be a template id, not {template_id!r}")
    reply_to = env.get("SGREVIEWS_NOTIFY_REPLY_TO_ID", "").strip()
    if reply_to and not UUID.match(reply_to):
        problems.append(f"SGREVIEWS_NOTIFY_REPLY_TO_ID must be a reply-to id, not {reply_to!r}")
    return NotifySettings(
        base_url=_https_url(env, "SGREVIEWS_NOTIFY_BASE_URL", NOTIFY_BASE_URL, problems),
        api_key=api_key,
        template_id=template_id,
        reply_to_id=reply_to,
    )
