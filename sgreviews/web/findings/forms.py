"""The finding form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from sgreviews.models import Addressee, FindingKind, RecommendationLevel
from sgreviews.web.forms_common import GovDateField, choices_of, optional_int


class FindingForm(FlaskForm):
    kind = RadioField(
        "Kind of finding",
        choices=choices_of([(kind.value, kind.label) for kind in FindingKind]),
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the kind of finding")],
    )
    text = TextAreaField(
        "Finding",
        description="You can use Markdown: *emphasis*, lists with -, links.",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the finding")],
    )
    # Rendered by hand, one fieldset per theme group (two levels).
    themes = SelectMultipleField("Themes", validate_choice=False)
    agencies = SelectMultipleField("Agencies involved", coerce=int, widget=GovCheckboxesInput())
    # A recommendation's level, addressee and national response (checked by the service,
    # which ignores them for other kinds of finding).
    level = RadioField(
        "Level of the recommendation",
        choices=choices_of([(level.value, level.label) for level in RecommendationLevel]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    addressed_to = RadioField(
        "Addressed to",
        choices=choices_of([(addressee.value, addressee.label) for addressee in Addressee]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    addressee_agency = SelectField(
        "Agency it is addressed to",
        coerce=optional_int,
        widget=GovSelect(),
        validate_choice=False,
    )
    addressee_body = StringField(
        "National body it is addressed to",
        description="For example, the Department for Education or the Home Office.",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Name the body in 200 characters or fewer")],
    )
    response_on = GovDateField(
        "Date of the national response",
        description="A national recommendation is open until its response is recorded.",
        validators=[Optional()],
    )
    response = TextAreaField("The national response", widget=GovTextArea())
    version = HiddenField()
    submit = SubmitField("Save finding", widget=GovSubmitInput())
    # Shows the similar earlier findings for the text as typed, without saving.
    check = SubmitField("Check for similar earlier findings", widget=GovSubmitInput())


class LinkDecisionForm(FlaskForm):
    """Confirm or dismiss one suggested link (the buttons of the similar findings page)."""

    decision = RadioField(
        "Decision",
        choices=choices_of([("confirmed", "Confirm"), ("dismissed", "Dismiss")]),
        validators=[InputRequired("Choose confirm or dismiss")],
    )
    earlier = HiddenField()
    score = HiddenField()
