"""Making a personal access token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from sgreviews.models import ApiScope
from sgreviews.services.accounts.api_tokens import LIFETIME_CHOICES, NAME_MAX


class NewTokenForm(FlaskForm):
    name = StringField(
        "Name",
        description="Say what will use it, such as “Power BI actions report”.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a name for the token"),
            Length(max=NAME_MAX, message=f"The name must be {NAME_MAX} characters or fewer"),
        ],
    )
    scope = RadioField(
        "What may it do?",
        choices=[
            SelectChoice(ApiScope.READ.value, "Read only"),
            SelectChoice(ApiScope.READ_WRITE.value, "Read, and record progress on actions"),
        ],
        default=ApiScope.READ.value,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose what the token may do")],
    )
    days = RadioField(
        "How long should it work?",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how long the token should work")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())

    def offer(self, *, may_write: bool, max_days: int) -> None:
        """Only the lifetimes allowed; the write scope only to roles that may update."""
        days = [day for day in LIFETIME_CHOICES if day <= max_days] or [max_days]
        self.days.choices = [SelectChoice(str(day), f"{day} days") for day in days]
        if self.days.data is None:
            self.days.data = str(days[0])
        if not may_write:
            self.scope.choices = [self.scope.choices[0]]
