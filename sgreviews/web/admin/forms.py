"""Administrators' forms: users, agencies, the audit-trail filters."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from sgreviews.models import Role, Sector
from sgreviews.services.accounts.passwords import password_problem
from sgreviews.web.forms_common import GovDateField, choices_of

ROLE_CHOICES = [(role.value, role.label) for role in Role]
SECTOR_CHOICES = [(sector.value, sector.label) for sector in Sector]


# Fields made in page order (WTForms orders fields, and so the error summary, by when
# each field was created): name, then email (new users only), then role.
_NAME_FIELD = StringField(
    "Full name",
    widget=GovTextInput(),
    validators=[
        InputRequired(message="Enter the person's full name"),
        Length(max=200, message="Full name must be 200 characters or fewer"),
    ],
)
_EMAIL_FIELD = StringField(
    "Email address",
    widget=GovTextInput(),
    validators=[
        InputRequired(message="Enter the person's email address"),
        Email(
            message="Enter an email address like name@agency.example",
            check_deliverability=False,
        ),
        Length(max=320, message="Email address must be 320 characters or fewer"),
    ],
)


class _UserDetails(FlaskForm):
    display_name = _NAME_FIELD
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=choices_of(ROLE_CHOICES),
        validators=[InputRequired(message="Select a role")],
    )
    agency = SelectField(
        "Agency",
        widget=GovSelect(),
        description="Needed for agency leads and practitioners.",
        coerce=str,
        choices=[],
    )

    partnerships = SelectMultipleField(
        "Partnerships served (secretariat and chair only)",
        widget=GovCheckboxesInput(),
        description="Reminders and escalations about a partnership's reviews and actions go "
        "to the secretariat and chair who serve it. Leave every box unticked for a national "
        "business-office user: they hear about partnerships nobody serves.",
        coerce=int,
        choices=[],
        validators=[Optional()],
    )

    def set_agencies(self, agencies: list[Any]) -> None:
        self.agency.choices = choices_of(
            [("", "No agency")] + [(str(agency.id), agency.name) for agency in agencies]
        )

    def set_partnerships(self, partnerships: list[Any]) -> None:
        self.partnerships.choices = choices_of(
            [(partnership.id, partnership.name) for partnership in partnerships]
        )

    def _role(self) -> Role | None:
        return Role(self.role.data) if self.role.data in Role._value2member_map_ else None

    def validate_agency(self, field: Any) -> None:
        role = self._role()
        if role is not None and role.needs_agency and not field.data:
            raise ValidationError(f"Select the agency of this {role.label.lower()}")

    def validate_partnerships(self, field: Any) -> None:
        role = self._role()
        if role is not None and field.data and not role.serves_partnerships:
            raise ValidationError(
                "Only secretariat and chair users serve partnerships: untick the "
                f"partnerships for a user with the role {role.label.lower()}"
            )


class _PasswordCheck:
    """The password policy, reported beside the field."""

    def __call__(self, form: Any, field: Any) -> None:
        email = getattr(getattr(form, "email", None), "data", "") or ""
        name = getattr(getattr(form, "display_name", None), "data", "") or ""
        problem = password_problem(field.data or "", email=email, display_name=name)
        if problem is not None:
            raise ValidationError(problem)


class NewUserForm(_UserDetails):
    email = _EMAIL_FIELD
    password = PasswordField(
        "First password (optional)",
        widget=GovPasswordInput(),
        description="The person is emailed an invitation to choose their own password. Only "
        "if they need to sign in before it arrives, set a first password here (at least 12 "
        "characters) and give it to them securely.",
        validators=[Optional(), _PasswordCheck()],
    )
    submit = SubmitField("Add user", widget=GovSubmitInput())


class EditUserForm(_UserDetails):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Three random words make a good password.",
        validators=[InputRequired(message="Enter a new password"), _PasswordCheck()],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that posts (deactivate, reactivate, reset two-factor), with CSRF."""


class AgencyForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the agency's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    sector = RadioField(
        "Sector",
        widget=GovRadioInput(),
        choices=choices_of(SECTOR_CHOICES),
        validators=[InputRequired(message="Select a sector")],
    )
    is_statutory_partner = BooleanField(
        "Statutory safeguarding partner (local authority, police or NHS)",
        widget=GovCheckboxInput(),
    )
    renamed_on = GovDateField(
        "Date of the new name",
        description="Only when you change the name: the former name is kept as used until "
        "this date. For example, 1 7 2022. Leave empty for today.",
        validators=[Optional()],
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: it changes nothing

    # An unknown value simply matches nothing, so the choices are not enforced.
    entity_type = SelectField(
        "Type of record", widget=GovSelect(), choices=[], coerce=str, validate_choice=False
    )
    event = SelectField("Event", widget=GovSelect(), choices=[], coerce=str, validate_choice=False)
    actor = StringField(
        "Email address of the person who acted",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=320, message="Email address is too long")],
    )
    date_from = GovDateField("From", validators=[Optional()])
    date_to = GovDateField("To", validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())


def settle_date_inputs(form: FlaskForm) -> None:
    """A date left empty in a search form redisplays as empty, and one sent with fewer than
    three parts redisplays the parts it had."""
    for field in form:
        if isinstance(field, DateField) and field.raw_data is not None:
            if not any(value.strip() for value in field.raw_data):
                field.raw_data = None
            elif len(field.raw_data) != 3:
                field.raw_data = [*field.raw_data, "", "", ""][:3]
