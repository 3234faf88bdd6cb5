"""The finding form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import HiddenField, RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from sgreviews.models import FindingKind
from sgreviews.web.forms_common import choices_of


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
