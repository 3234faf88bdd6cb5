"""Notifications (everyone), settings and calendar feed (everyone), snoozes (secretariat)
and the reminder log (administrator)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from sgreviews.clock import london_today, utcnow
from sgreviews.models import OutboxState, User
from sgreviews.policy import Permission
from sgreviews.services.mail import outbox
from sgreviews.services.notifications import inbox, preferences
from sgreviews.services.operations.status import scheduler_status
from sgreviews.services.reminders import snoozes as snooze_service
from sgreviews.services.reminders.wiring import current_mail_settings
from sgreviews.web.access import public, requires, signed_in
from sgreviews.web.notifications.forms import CalendarForm, NotificationSettingsForm, SnoozeForm
from sgreviews.web.transactions import transaction

blueprint = Blueprint("notifications", __name__)

SEVERITY_TAGS = {
    "decision": ("Decision", "govuk-tag--blue"),
    "escalation": ("Escalated to you", "govuk-tag--red"),
    "overdue": ("Overdue", "govuk-tag--red"),
    "due": ("Due today", "govuk-tag--orange"),
    "due_soon": ("Due soon", "govuk-tag--yellow"),
}
STATE_TAGS = {
    OutboxState.PENDING: "govuk-tag--grey",
    OutboxState.SENDING: "govuk-tag--light-blue",
    OutboxState.RETRYING: "govuk-tag--red",
    OutboxState.SENT: "govuk-tag--green",
}


def preset_unread_count(count: int) -> None:
    """The header's unread count for this request, when a view has read it already (the
    reading page reads it in its own statement)."""
    g.unread_notifications = count


def notification_count() -> dict[str, Any]:
    """The header's unread count, for every page (registered by ``create_app``)."""

    def unread_notifications() -> int:
        preset: int | None = g.get("unread_notifications")
        if preset is not None:
            return preset
        if isinstance(current_user, User) and current_user.is_authenticated:
            return inbox.unread_count(current_user.id)
        return 0

    return {"unread_notifications": unread_notifications}


@blueprint.route("/notifications")
@signed_in
def index() -> str:
    groups, total = inbox.recent_for(current_user.id)
    return render_template(
        "notifications/index.html",
        groups=groups,
        total=total,
        shown=sum(len(group.items) for group in groups),
        unread=inbox.unread_count(current_user.id),
        severity_tags=SEVERITY_TAGS,
        form=CalendarForm(),
    )


@blueprint.route("/notifications/read", methods=["POST"])
@signed_in
def mark_read() -> Response:
    if not CalendarForm().validate_on_submit():
        abort(400)
    with transaction():
        count = inbox.mark_all_read(current_user.id)
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read.", "success")
    return redirect(url_for("notifications.index"))


def _feed_url(token: str) -> str:
    base = current_app.extensions["sgreviews.settings"].base_url.rstrip("/")
    return f"{base}{url_for('notifications.calendar_feed', token=token)}"


@blueprint.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def settings() -> Response | str:
    with transaction():
        # A first visit stores the person's settings with the defaults.
        setting = preferences.settings_for(current_user)
    form = NotificationSettingsForm(
        data={"delivery": "email" if setting.email_digest else "in_app"}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        with transaction():
            preferences.set_email_digest(current_user, form.delivery.data == "email")
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        form=form,
        calendar_form=CalendarForm(),
        setting=setting,
        feed_url=None,
    )


@blueprint.route("/notifications/calendar", methods=["POST"])
@signed_in
def calendar_settings() -> Response | str:
    calendar_form = CalendarForm()
    if not calendar_form.validate_on_submit():
        abort(400)
    if request.form.get("calendar") == "revoke":
        with transaction():
            preferences.revoke_calendar(current_user)
        flash("Your calendar feed is turned off. Its address no longer works.", "success")
        return redirect(url_for("notifications.settings"))
    with transaction():
        token = preferences.enable_calendar(current_user)
    setting = preferences.settings_for(current_user)
    form = NotificationSettingsForm(
        data={"delivery": "email" if setting.email_digest else "in_app"}
    )
    # Shown once, on this response only: the secret is not stored.
    return render_template(
        "notifications/settings.html",
        form=form,
        calendar_form=calendar_form,
        setting=setting,
        feed_url=_feed_url(token),
    )


@blueprint.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> Response:
    """Public by design: the secret in the address is the credential (calendar apps cannot
    sign in). Unknown or revoked secrets get 404, never a hint."""
    user = preferences.user_for_calendar_token(token)
    if user is None:
        abort(404)
    base = current_app.extensions["sgreviews.settings"].base_url
    body = preferences.render_calendar(preferences.calendar_actions(user), base, utcnow())
    # Kept out of caches by the factory's download rule (`_is_download`), as every export.
    response: Response = current_app.response_class(body, mimetype="text/calendar")
    return response


@blueprint.route("/notifications/snoozes", methods=["GET", "POST"])
@requires(Permission.SNOOZE_REMINDERS)
def snoozes() -> Response | str:
    form = SnoozeForm()
    today = london_today()
    if form.validate_on_submit():
        assert form.until.data is not None
        try:
            with transaction():
                item = snooze_service.snooze(
                    current_user,
                    form.reference.data or "",
                    form.until.data,
                    form.reason.data or "",
                    today,
                )
        except snooze_service.SnoozeError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(
                f"Reminders for {(form.reference.data or '').strip()} are snoozed until "
                f"{item.snoozed_until:%-d %B %Y}.",
                "success",
            )
            return redirect(url_for("notifications.snoozes"))
    return render_template(
        "notifications/snoozes.html",
        form=form,
        rows=snooze_service.active_snoozes(today),
        end_form=CalendarForm(),
    )


@blueprint.route("/notifications/snoozes/<int:snooze_id>/end", methods=["POST"])
@requires(Permission.SNOOZE_REMINDERS)
def end_snooze(snooze_id: int) -> Response:
    if not CalendarForm().validate_on_submit():
        abort(400)
    with transaction():
        item = snooze_service.end_snooze(current_user, snooze_id)
    if item is None:
        abort(404)
    flash("The snooze has ended: reminders start again at the next run.", "success")
    return redirect(url_for("notifications.snoozes"))


@blueprint.route("/admin/reminder-log")
@requires(Permission.VIEW_REMINDER_LOG)
def reminder_log() -> str:
    problems_only = request.args.get("show") == "problems"
    mail = current_mail_settings()
    return render_template(
        "notifications/reminder_log.html",
        counts=outbox.state_counts(),
        status=scheduler_status(),
        messages=outbox.recent_messages(problems_only=problems_only),
        problems_only=problems_only,
        mail=mail,
        mail_problems=list(mail.problems),
        state_tags=STATE_TAGS,
        states=list(OutboxState),
    )
