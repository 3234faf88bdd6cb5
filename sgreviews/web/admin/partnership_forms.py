"""The administrator's partnership form (issue 20)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from sgreviews.models import PartnershipKind
from sgreviews.review_types import JURISDICTIONS
from sgreviews.web.forms_common import GovDateField, choices_of


class PartnershipForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the partnership's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    short_name = StringField(
        "Short name",
        description="Letters, numbers and hyphens, such as TSCP. Used in the address of the "
        "partnership's public library.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a short name, such as TSCP"),
            Length(max=40, message="The short name must be 40 characters or fewer"),
        ],
    )
    kind = RadioField(
        "Kind",
        widget=GovRadioInput(),
        choices=choices_of([(kind.value, kind.label) for kind in PartnershipKind]),
        validators=[InputRequired(message="Choose the kind of partnership")],
    )
    jurisdiction = SelectField(
        "Jurisdiction",
        description="Whose bank holidays its reviews' working days skip.",
        widget=GovSelect(),
        choices=choices_of([("", "Not set"), *JURISDICTIONS.items()]),
        validate_choice=False,  # the service explains a wrong one
    )
    go_live_on = GovDateField(
        "Go-live date (optional)",
        description=(
            "The day the partnership started using the service: nothing already due before "
            "it is reminded or escalated. For example, 1 4 2026."
        ),
        validators=[Optional()],
    )
    submit = SubmitField("Save partnership", widget=GovSubmitInput())
