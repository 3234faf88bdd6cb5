"""Forms for writing, checking, reading and recording the use of briefings."""

from __future__ import annotations

from typing import Any

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
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from sgreviews.models import BriefingKind
from sgreviews.services.briefings.sections import sections_for
from sgreviews.web.forms_common import GovDateField

KIND_CHOICES = [(kind.value, kind.label) for kind in BriefingKind]


def _date_field(label: str) -> GovDateField:
    return GovDateField(
        label,
        validators=[InputRequired(message=f"Enter the {label.lower()} as a real date")],
    )


class NewBriefingForm(FlaskForm):
    kind = RadioField(
        "Type of briefing",
        widget=GovRadioInput(),
        default=BriefingKind.SEVEN_MINUTE.value,
        validators=[InputRequired(message="Choose the type of briefing")],
    )
    partnership = SelectField(
        "Partnership", widget=GovSelect(), coerce=int, validators=[Optional()]
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Title must be 200 characters or fewer")],
    )
    review_by = _date_field("Review-by date")
    submit = SubmitField("Create briefing", widget=GovSubmitInput())


class EditorFormBase(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    review_by = _date_field("Review-by date")
    lock_version = HiddenField()


def editor_form(kind: BriefingKind, **kwargs: Any) -> Any:
    """An editor form with one Markdown text area per section of ``kind``."""

    class EditorForm(EditorFormBase):
        pass

    for section in sections_for(kind):
        label = f"{section.number}. {section.label}" if section.number else section.label
        if not section.required:
            label += " (optional)"
        setattr(
            EditorForm,
            section.key,
            TextAreaField(
                label,
                widget=GovTextArea(),
                description=section.hint,
                validators=[Length(max=5000, message=f"{section.label} is too long")],
            ),
        )
    return EditorForm(**kwargs)


class OverrideForm(FlaskForm):
    # Several of these share a page under prefixes; the app-wide CSRFProtect checks the
    # page's one unprefixed csrf_token instead.
    class Meta:
        csrf = False

    flag_kind = HiddenField()
    matched_text = HiddenField()
    reason = TextAreaField(
        "Why this can be published",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter why this can be published")],
    )
    submit = SubmitField("Keep it, with this reason", widget=GovSubmitInput())


class ReadForm(FlaskForm):
    reflection = TextAreaField(
        "Your reflection (optional)",
        widget=GovTextArea(),
        description="What will you do differently? Only the business office sees this.",
        validators=[Length(max=2000, message="Reflection must be 2000 characters or fewer")],
    )
    submit = SubmitField("I have read this", widget=GovSubmitInput())


class WholeNumberField(IntegerField):
    """An integer field whose parse error reads as a GOV.UK message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"Enter the {self.label.text.lower()} as a whole number") from error


class TeamUseForm(FlaskForm):
    used_on = _date_field("Date the team used it")
    team = StringField(
        "Team",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the team"), Length(max=200)],
    )
    agency = SelectField("Agency", widget=GovSelect(), coerce=int)
    staff_count = WholeNumberField(
        "Number of staff",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of staff as a whole number"),
            NumberRange(min=1, max=10000, message="Number of staff must be between 1 and 10000"),
        ],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        description="What the team discussed and what it will do differently.",
        validators=[Length(max=4000)],
    )
    submit = SubmitField("Record team use", widget=GovSubmitInput())


class PublicSettingsForm(FlaskForm):
    public = SelectMultipleField(
        "Partnerships whose published briefings anyone can read without signing in",
        widget=GovCheckboxesInput(),
        coerce=int,
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class LibraryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search", widget=GovTextInput())
    kind = SelectField("Type", widget=GovSelect())
    theme = SelectField("Theme", widget=GovSelect())
    review_type = SelectField("Review type", widget=GovSelect())
    year = SelectField("Year published", widget=GovSelect())
    submit = SubmitField("Search", widget=GovSubmitInput())


class LinksForm(FlaskForm):
    reviews = SelectMultipleField("Reviews", widget=GovCheckboxesInput(), coerce=int)
    findings = SelectMultipleField("Findings", widget=GovCheckboxesInput(), coerce=int)
    themes = SelectMultipleField("Themes", widget=GovCheckboxesInput(), coerce=int)
    submit = SubmitField("Save links", widget=GovSubmitInput())
