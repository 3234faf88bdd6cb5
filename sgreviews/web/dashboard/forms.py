"""Dashboard filters and the challenge log form."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DecimalField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from sgreviews.clock import london_today
from sgreviews.models import ChallengeStatus
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports.narrative import MAX_LENGTH as NARRATIVE_MAX_LENGTH
from sgreviews.web.forms_common import GovDateField, choices_of


class DashboardFilterForm(FlaskForm):
    """A GET form: filters live in the URL so a view can be bookmarked and shared."""

    class Meta:
        csrf = False

    partnership = SelectField("Partnership", widget=GovSelect(), default="")
    year = SelectField("Business year", widget=GovSelect())
    quarter = SelectField(
        "Quarter",
        widget=GovSelect(),
        choices=choices_of(
            [
                ("", "Whole year"),
                ("1", "Q1 (April to June)"),
                ("2", "Q2 (July to September)"),
                ("3", "Q3 (October to December)"),
                ("4", "Q4 (January to March)"),
            ]
        ),
        default="",
    )
    # With a partnership chosen: a drop-down of the agencies owning its actions. With all
    # partnerships: the agency's name typed (2,400 agencies nationally made a drop-down of
    # 2,400 options that was most of the page; docs/performance.md).
    agency = SelectField("Agency", widget=GovSelect(), default="")
    agency_name = StringField(
        "Agency",
        widget=GovTextInput(),
        description="The agency's full name, or blank for all agencies. To pick from a list, "
        "choose a partnership first.",
        validators=[Optional(), Length(max=200)],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def set_choices(
        self, partnerships: list[tuple[int, str]], agencies: list[tuple[int, str]], today: date
    ) -> None:
        self.partnership.choices = choices_of(
            [("", "All partnerships")] + [(str(key), name) for key, name in partnerships]
        )
        self.agency.choices = choices_of(
            [("", "All agencies")] + [(str(key), name) for key, name in agencies]
        )
        current = BusinessYear.containing(today).start_year
        self.year.choices = choices_of(
            [(str(year), BusinessYear(year).label) for year in range(current, current - 10, -1)]
        )
        if not self.year.data:
            self.year.data = str(current)


class ChallengeForm(FlaskForm):
    version = HiddenField()
    partnership = SelectField("Partnership", widget=GovSelect())
    raised_on = GovDateField(
        "Date raised",
        validators=[InputRequired(message="Enter the date the challenge was raised")],
        description="For example, 27 3 2025",
    )
    agency = SelectField("Agency challenged", widget=GovSelect(), default="")
    raised_with = StringField(
        "Raised with",
        widget=GovTextInput(),
        description="The person, role or body the challenge was put to",
        validators=[
            InputRequired(message="Enter who the challenge was raised with"),
            Length(max=200, message="Raised with must be 200 characters or fewer"),
        ],
    )
    issue = TextAreaField(
        "Issue",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the issue the challenge is about")],
    )
    response = TextAreaField("Response", widget=GovTextArea(), validators=[Optional()])
    outcome = TextAreaField("Outcome", widget=GovTextArea(), validators=[Optional()])
    follow_up_on = GovDateField(
        "Follow-up date",
        validators=[Optional()],
        description="Leave blank if no follow-up is needed",
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=choices_of([(status.value, status.label) for status in ChallengeStatus]),
        default=ChallengeStatus.OPEN.value,
    )
    submit = SubmitField("Save challenge", widget=GovSubmitInput())

    def validate_raised_on(self, field: GovDateField) -> None:
        if field.data and field.data > london_today():
            raise ValidationError("Date raised must be today or in the past")

    def validate_follow_up_on(self, field: GovDateField) -> None:
        if field.data and self.raised_on.data and field.data < self.raised_on.data:
            raise ValidationError("Follow-up date must be on or after the date raised")


class ChallengeFilterForm(FlaskForm):
    class Meta:
        csrf = False

    partnership = SelectField("Partnership", widget=GovSelect(), default="")
    agency = SelectField("Agency", widget=GovSelect(), default="")
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=choices_of([("", "Any status")] + [(s.value, s.label) for s in ChallengeStatus]),
        default="",
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class YearlyReportForm(FlaskForm):
    class Meta:
        csrf = False

    partnership = SelectField("Partnership", widget=GovSelect(), default="")
    year = SelectField("Business year", widget=GovSelect())
    version = SelectField(
        "Version",
        widget=GovSelect(),
        choices=choices_of(
            [("full", "Full (for the board)"), ("public", "Public (small numbers hidden)")]
        ),
        default="full",
    )
    submit = SubmitField("Show report", widget=GovSubmitInput())


class BudgetYearForm(FlaskForm):
    """Which partnership and year's budgets to show (a GET form)."""

    class Meta:
        csrf = False

    partnership = SelectField("Partnership", widget=GovSelect())
    year = SelectField("Business year", widget=GovSelect())
    show = SubmitField("Show budgets", widget=GovSubmitInput())


def budget_form_class(review_types: list[tuple[str, str]]) -> type[FlaskForm]:
    """A form with one amount field per review type (types come from configuration)."""

    class BudgetForm(FlaskForm):
        submit = SubmitField("Save budgets", widget=GovSubmitInput())

    for key, name in review_types:
        setattr(
            BudgetForm,
            f"budget_{key}",
            DecimalField(
                name,
                widget=GovTextInput(),
                places=2,
                validators=[
                    Optional(),
                    NumberRange(min=0, message=f"Budget for {name} must be £0 or more"),
                ],
            ),
        )
    return BudgetForm


class SignOffForm(FlaskForm):
    """The chair signs off a yearly report (or makes a new version of a signed-off one)."""

    note = TextAreaField(
        "Why a new version is needed",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")],
        description="Shown with the version and kept in the audit trail.",
    )
    submit = SubmitField("Sign off the report", widget=GovSubmitInput())

    def __init__(self, *args: object, superseding: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.superseding = superseding
        if not superseding:
            self.note.label.text = "Note (optional)"

    def validate_note(self, field: StringField) -> None:
        if self.superseding and not (field.data or "").strip():
            raise ValidationError("Say why a new version is needed")


def narrative_field_name(key: str) -> str:
    """The form field of a section's text (a section key is a slug: "what-we-learned")."""
    return "text_" + key.replace("-", "_")


def narrative_form_class(sections: list[tuple[str, str]]) -> type[FlaskForm]:
    """A form with a text box and the version it was opened at for each (key, title): the
    foreword and one commentary per section of the report (sections come from the report,
    so a new section gets its box without a change here)."""

    class NarrativeForm(FlaskForm):
        submit = SubmitField("Save the foreword and commentary", widget=GovSubmitInput())

    for key, title in sections:
        setattr(
            NarrativeForm,
            narrative_field_name(key),
            TextAreaField(
                title,
                widget=GovTextArea(),
                validators=[
                    Length(
                        max=NARRATIVE_MAX_LENGTH,
                        message=f"Keep “{title}” to {NARRATIVE_MAX_LENGTH:,} characters or fewer",
                    )
                ],
            ),
        )
        setattr(NarrativeForm, "version_" + key.replace("-", "_"), HiddenField(default="0"))
    return NarrativeForm
