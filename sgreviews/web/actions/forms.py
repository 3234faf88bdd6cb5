"""Forms for actions: create/edit, progress, extension, assurance, impact, bulk update."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from sgreviews.models import ActionStatus, ImpactMethod, ImpactStatus
from sgreviews.services.actions.writes import PROGRESS_STATUSES
from sgreviews.web.forms_common import GovDateField, choices_of, effective_on_field, optional_int


class ActionForm(FlaskForm):
    findings = SelectMultipleField(
        "Findings this action answers", coerce=int, widget=GovCheckboxesInput()
    )
    other_findings = TextAreaField(
        "Findings of other reviews this action also answers (optional)",
        description="For a thematic action plan. Separate them with commas, such as "
        '"SCR-2018-03 finding 2, SAR-2024-02 finding 1"',
        widget=GovTextArea(),
        validators=[Optional()],
    )
    reference = StringField(
        "Reference (optional)",
        description="Leave blank to number it from the first finding, such as LCSPR-2025-02/1.3",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
    )
    outcome_sought = TextAreaField(
        "Outcome we want",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the outcome we want")],
    )
    action_text = TextAreaField(
        "Action we will take",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the action we will take")],
    )
    measure_of_success = TextAreaField(
        "How we will measure it",
        widget=GovTextArea(),
        validators=[InputRequired("Enter how we will measure it")],
    )
    owning_agency_id = SelectField(
        "Owning agency",
        coerce=optional_int,
        widget=GovSelect(),
        validators=[InputRequired("Select the agency that owns the action")],
    )
    lead_user_id = SelectField(
        "Named lead with an account",
        coerce=optional_int,
        widget=GovSelect(),
        description="A user of the owning agency",
    )
    lead_name = StringField(
        "Or a named lead without an account",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    lead_subgroup = StringField(
        "Lead subgroup", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    board_sponsor = StringField(
        "Board sponsor", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    due_date = GovDateField(
        "Due date",
        description="For example, 27 3 2027",
        validators=[InputRequired("Enter the due date")],
    )
    risk = TextAreaField("Risk", widget=GovTextArea(), validators=[Optional()])
    added_on = GovDateField(
        "Added to the plan on",
        description=(
            "Leave as today unless you are entering history: the day the action joined the "
            "plan, which the yearly figures count it from. For example, 1 6 2022"
        ),
        # Blank: today for a new action, unchanged for an edit.
        validators=[Optional()],
    )
    version = HiddenField()
    submit = SubmitField("Save action", widget=GovSubmitInput())
    # The quality hints for the action as typed, without saving.
    check = SubmitField("Check the action", widget=GovSubmitInput())


STATUS_CHOICES = [(status.value, status.label) for status in PROGRESS_STATUSES]


class ProgressForm(FlaskForm):
    status = RadioField(
        "Status",
        choices=choices_of(STATUS_CHOICES),
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the status")],
    )
    note = TextAreaField(
        "What has happened since the last update",
        widget=GovTextArea(),
        validators=[InputRequired("Enter what has happened since the last update")],
    )
    off_track = BooleanField("The action is off track", widget=GovCheckboxInput())
    evidence = MultipleFileField(
        "Evidence files (optional)",
        description="PDF, Word, Excel, CSV, text, PNG or JPEG",
        widget=GovFileInput(multiple=True),
    )
    version = HiddenField()
    effective_on = effective_on_field()
    submit = SubmitField("Save update", widget=GovSubmitInput())


class ExtensionForm(FlaskForm):
    new_due_date = GovDateField(
        "New due date", validators=[InputRequired("Enter the new due date")]
    )
    reason = TextAreaField(
        "Why the action needs more time",
        widget=GovTextArea(),
        validators=[InputRequired("Enter why the action needs more time")],
    )
    effective_on = effective_on_field()
    submit = SubmitField("Request extension", widget=GovSubmitInput())


class ExtensionDecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=choices_of([("approve", "Approve the new due date"), ("decline", "Decline")]),
        widget=GovRadioInput(),
        validators=[InputRequired("Choose approve or decline")],
    )
    note = TextAreaField(
        "Note (needed when declining)", widget=GovTextArea(), validators=[Optional()]
    )
    effective_on = effective_on_field()
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class AssuranceForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=choices_of(
            [
                ("assure", "Assure: the evidence shows the action is done"),
                ("send_back", "Send back to the agency"),
                ("close", "Close, not implemented"),
                ("supersede", "Superseded by another action"),
            ]
        ),
        widget=GovRadioInput(),
        validators=[InputRequired("Choose a decision")],
    )
    note = TextAreaField(
        "Note or reason",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the note or reason")],
    )
    effective_on = effective_on_field()
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class ImpactForm(FlaskForm):
    impact_status = RadioField(
        "Impact",
        choices=choices_of([(status.value, status.label) for status in ImpactStatus]),
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the impact")],
    )
    method = SelectField(
        "Method of assessment",
        choices=choices_of(
            [("", "Not chosen"), *((method.value, method.label) for method in ImpactMethod)]
        ),
        widget=GovSelect(),
    )
    assessment_on = GovDateField("Date of assessment", validators=[Optional()])
    note = TextAreaField("What the assessment found or will test", widget=GovTextArea())
    effective_on = effective_on_field()
    submit = SubmitField("Save impact", widget=GovSubmitInput())


class BulkUpdateForm(FlaskForm):
    selected = SelectMultipleField("Actions", coerce=int)
    status = SelectField(
        "Status",
        choices=choices_of(
            [
                ("", "Keep each action's status"),
                *(
                    (status.value, status.label)
                    for status in PROGRESS_STATUSES
                    if status is not ActionStatus.COMPLETED
                ),
            ]
        ),
        widget=GovSelect(),
    )
    note = TextAreaField("Update for the selected actions", widget=GovTextArea())
    submit = SubmitField("Update selected actions", widget=GovSubmitInput())


class RemoveEvidenceForm(FlaskForm):
    """Remove (or replace) an evidence file uploaded by mistake: the reason is kept."""

    reason = TextAreaField(
        "Why is this file being removed?",
        description="For example: it names a family member, or it is the wrong document.",
        widget=GovTextArea(),
        validators=[InputRequired("Enter why the file is being removed"), Length(max=2000)],
    )
    replacement = MultipleFileField(
        "Replacement file (optional)",
        description="PDF, Word, Excel, CSV, text, PNG or JPEG",
        widget=GovFileInput(),
    )
    submit = SubmitField("Remove the file", widget=GovSubmitInput())


class CorrectUpdateForm(FlaskForm):
    """Correct the text of a progress note; the earlier text stays in the history."""

    note = TextAreaField(
        "Corrected progress note",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the corrected note"), Length(max=10000)],
    )
    reason = TextAreaField(
        "Why is it being corrected?",
        widget=GovTextArea(),
        validators=[InputRequired("Enter why the note is being corrected"), Length(max=2000)],
    )
    submit = SubmitField("Save the correction", widget=GovSubmitInput())
