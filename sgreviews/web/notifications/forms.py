"""Forms for notification settings and snoozes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from sgreviews.web.forms_common import GovDateField

EMAIL_CHOICES = [
    SelectChoice(
        "email", "By email and in the app: one digest email per day with all my reminders"
    ),
    SelectChoice("in_app", "In the app only: no reminder emails"),
]


class NotificationSettingsForm(FlaskForm):
    delivery = RadioField(
        "How do you want to get reminders?",
        choices=EMAIL_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how you want to get reminders")],
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class CalendarForm(FlaskForm):
    """Enable or revoke: the button pressed says which."""


class SnoozeForm(FlaskForm):
    reference = StringField(
        "Action reference",
        widget=GovTextInput(),
        description="For example, LCSPR-2024-01/1.1",
        validators=[
            InputRequired(message="Enter the action's reference"),
            Length(max=40, message="An action reference is 40 characters or fewer"),
        ],
    )
    until = GovDateField(
        "Snooze reminders until",
        description="Reminders start again the day after. For example, 27 3 2027",
        validators=[InputRequired(message="Enter the date to snooze until")],
    )
    reason = TextAreaField(
        "Why are the reminders snoozed?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter why the reminders are snoozed"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Snooze reminders", widget=GovSubmitInput())
