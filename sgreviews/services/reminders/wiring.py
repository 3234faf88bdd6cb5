"""Wiring reminders into an application: the rules from ``config/reminders.toml`` (a bad
rule stops start-up, naming the key) and the mail settings from the environment (once
mail is configured, a bad mail setting stops start-up naming the variable; with no mail
configured at all, messages wait in the outbox and the reminder log says why). The web
app never starts a scheduler: that is ``sgreviews scheduler``, a process of its own."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from sgreviews.services.mail.config import MailSettings
from sgreviews.services.reminders.rules import ReminderRules, load_reminder_rules

RULES_KEY = "sgreviews.reminder_rules"
MAIL_KEY = "sgreviews.mail"


def init_reminders(app: Flask, config_dir: Path, overrides: dict[str, str] | None) -> None:
    app.extensions[RULES_KEY] = load_reminder_rules(config_dir / "reminders.toml")
    mail = MailSettings.from_env(overrides)
    mail.refuse_if_misconfigured()
    app.extensions[MAIL_KEY] = mail


def current_rules() -> ReminderRules:
    rules: ReminderRules = current_app.extensions[RULES_KEY]
    return rules


def current_mail_settings() -> MailSettings:
    settings: MailSettings = current_app.extensions[MAIL_KEY]
    return settings
