"""Forms of the review lifecycle, on GOV.UK Frontend widgets."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from sgreviews.models import SubjectKind
from sgreviews.models.review import Consent, HoldReason, LinkKind, Methodology, MonitoringKind
from sgreviews.review_types import JURISDICTIONS
from sgreviews.web import forms_common
from sgreviews.web.forms_common import choices_of


class GovDateField(forms_common.GovDateField):
    """A day/month/year date on the shared field (and its date input that survives missing
    parts). Blank is allowed unless ``required`` is given; a partly filled or impossible
    date gets a message beside the field."""

    def __init__(self, label: str, required: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required_message = required

    def process_formdata(self, valuelist: list[str]) -> None:
        # The widget redisplays raw_data as day, month, year: keep it to three parts.
        if len(valuelist) != 3:
            self.raw_data = [*valuelist, "", "", ""][:3] if valuelist else None
        if not valuelist or all(not str(value).strip() for value in valuelist):
            self.data = None
            return
        if len(valuelist) != 3 or any(not str(value).strip() for value in valuelist):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            day, month, year = (int(str(value).strip()) for value in valuelist)
            if year < 1900:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError as error:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from error

    @property
    def value(self) -> date:
        """The date of a required field once the form has validated."""
        assert isinstance(self.data, date), "read .value only after validation"
        return self.data

    def pre_validate(self, form: Any) -> None:
        if self.required_message and self.data is None and not self.process_errors:
            raise StopValidation(self.required_message)


class VersionedForm(FlaskForm):
    """A form that edits a review carries the version it was loaded at, so a save over
    someone else's change is refused."""

    version = HiddenField()

    @property
    def expected_version(self) -> int | None:
        raw = self.version.data
        return int(raw) if raw and str(raw).isdigit() else None


def _subject_kind_field() -> RadioField:
    return RadioField(
        "The subject is",
        choices=choices_of([(kind.value, kind.label) for kind in SubjectKind]),
        default=SubjectKind.CHILD.value,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose child, adult or family")],
    )


class NotificationForm(FlaskForm):
    partnership_id = SelectField(
        "Partnership",
        coerce=int,
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the partnership")],
    )
    subject_label = StringField(
        "Subject (pseudonymised)",
        description="A pseudonym such as Child Q. Never a real name.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the pseudonymised subject, such as Child Q"),
            Length(max=80, message="The subject must be 80 characters or fewer"),
        ],
    )
    subject_kind = _subject_kind_field()
    aware_on = GovDateField(
        "Date the local authority became aware",
        description="For example, 17 4 2025. The 5-working-day clock starts from this date.",
        required="Enter the date the local authority became aware",
    )
    notified_on = GovDateField(
        "Date notified to the national Panel",
        description="Leave blank if the notification has not been sent yet.",
    )
    looked_after_child = BooleanField(
        "The child is looked after (also notify the Secretary of State and Ofsted)",
        widget=GovCheckboxInput(),
    )
    national_reference = StringField(
        "National Panel reference (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=60, message="The reference must be 60 characters or fewer"),
        ],
    )
    submit = SubmitField("Log the notification", widget=GovSubmitInput())


class NewReviewForm(FlaskForm):
    review_type = SelectField(
        "Type of review",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the type of review")],
    )
    # Starts unchosen (issue 20): the first partnership by name was often the wrong kind.
    # The review type's owning body chooses it (config/review_types.toml `owning_body`).
    partnership_id = SelectField(
        "Partnership",
        description="Chosen from the type of review's owning body; change it if needed.",
        coerce=forms_common.optional_int,
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the partnership")],
    )
    subject_label = StringField(
        "Subject (pseudonymised)",
        description="A pseudonym such as Child Q, Adult S or Family R. Never a real name.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the pseudonymised subject, such as Child Q"),
            Length(max=80, message="The subject must be 80 characters or fewer"),
        ],
    )
    subject_kind = _subject_kind_field()
    started_on = GovDateField("Start date", required="Enter the start date")
    decision_on = GovDateField(
        "Date of the decision to hold the review",
        description="Statutory completion clocks start from this date.",
    )
    notified_on = GovDateField("Date notified (if there was a notification)")
    variant = SelectField(
        "Kind of review (optional)",
        description="Only some types have kinds: a SAR (mandatory or discretionary), a SUSR "
        "or a case management review.",
        widget=GovSelect(),
        validate_choice=False,
    )
    reference = StringField(
        "Reference (optional)",
        description="Leave blank to generate one, such as LCSPR-2025-03.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=40, message="The reference must be 40 characters or fewer"),
        ],
    )
    submit = SubmitField("Create the review", widget=GovSubmitInput())


class StartRapidReviewForm(FlaskForm):
    started_on = GovDateField("Date the rapid review started", required="Enter the start date")
    submit = SubmitField("Start the rapid review", widget=GovSubmitInput())


class DecisionForm(VersionedForm):
    outcome = RadioField(
        "Decision",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the decision")],
    )
    decided_on = GovDateField("Date of the decision", required="Enter the date of the decision")
    rationale = TextAreaField(
        "Rationale",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the rationale for the decision")],
    )
    sent_to_panel_on = GovDateField("Date sent to the national Panel")
    panel_reply_on = GovDateField("Date of the Panel's reply")
    panel_reply = TextAreaField("The Panel's reply", widget=GovTextArea())
    # Working Together 2023: only for the types whose decisions a partner signs off (the
    # view removes them for the others).
    signed_off_by_role = RadioField(
        "Who signed off the decision",
        choices=choices_of(
            [
                ("lead", "The lead safeguarding partner"),
                ("delegated", "A delegated safeguarding partner"),
            ]
        ),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    signed_off_by_name = StringField(
        "Name of the partner who signed it off",
        description="For example, the director of children's services or their delegate.",
        widget=GovTextInput(),
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class CommissioningForm(VersionedForm):
    commissioned_on = GovDateField("Date commissioned", required="Enter the date commissioned")
    reviewer_name = StringField(
        "Reviewer or author",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the reviewer or author"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    methodology = RadioField(
        "Methodology",
        choices=choices_of([(item.value, item.label) for item in Methodology]),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the methodology")],
    )
    cost = StringField(
        "Cost in pounds (optional)",
        description="For example, 12500 or 12500.50",
        widget=GovTextInput(),
    )
    terms_of_reference_on = GovDateField("Date the terms of reference were agreed")
    submit = SubmitField("Save commissioning", widget=GovSubmitInput())

    def cost_pence(self) -> int | None:
        raw = (self.cost.data or "").replace(",", "").replace("£", "").strip()
        if not raw:
            return None
        pounds, _, pence = raw.partition(".")
        if not pounds.isdigit() or (pence and (not pence.isdigit() or len(pence) > 2)):
            raise ValueError("Enter the cost as a number of pounds, such as 12500 or 12500.50")
        return int(pounds) * 100 + int(pence.ljust(2, "0") if pence else 0)


class StageForm(VersionedForm):
    # Any stage key is accepted here so that the service, not WTForms, explains which
    # moves are allowed.
    to_stage = RadioField(
        "Move to",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Choose the stage to move to")],
    )
    # The move's effective date (issue 18): today unless history is being entered.
    moved_on = GovDateField(
        "Effective on",
        required="Enter the date of the move",
        description=forms_common.EFFECTIVE_ON_HINT,
    )
    note = TextAreaField("Note", widget=GovTextArea())
    submit = SubmitField("Move the review", widget=GovSubmitInput())


class HistoricalForm(VersionedForm):
    """Mark a review as a historical record, or unmark it (the button's hidden value)."""

    historical = HiddenField(validators=[InputRequired()])


class HoldForm(VersionedForm):
    reason = RadioField(
        "Reason for the hold",
        choices=choices_of([(item.value, item.label) for item in HoldReason]),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the reason for the hold")],
    )
    details = TextAreaField("Details", widget=GovTextArea())
    started_on = GovDateField("Date the hold started", required="Enter the date the hold started")
    submit = SubmitField("Put the review on hold", widget=GovSubmitInput())


class ReleaseHoldForm(VersionedForm):
    ended_on = GovDateField("Date the hold ended", required="Enter the date the hold ended")
    submit = SubmitField("Release the hold", widget=GovSubmitInput())


class MonitoringForm(FlaskForm):
    checked_on = GovDateField("Date", required="Enter the date of the check")
    kind = RadioField(
        "Kind of entry",
        choices=choices_of([(item.value, item.label) for item in MonitoringKind]),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the kind of entry")],
    )
    note = TextAreaField(
        "What was checked or asked, and the result",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter what was checked or asked, and the result")],
    )
    submit = SubmitField("Add to the monitoring log", widget=GovSubmitInput())


class PublicationForm(VersionedForm):
    final_report_sent_on = GovDateField(
        "Date the final report was sent to the Panel and Secretary of State",
        description="Due 7 working days before publication.",
    )
    published_on = GovDateField("Publication date")
    publication_url = StringField(
        "Link to the published report",
        widget=GovTextInput(),
        validators=[Length(max=500, message="The link must be 500 characters or fewer")],
    )
    anonymised_confirmed = BooleanField(
        "I confirm the published report is anonymised", widget=GovCheckboxInput()
    )
    submit = SubmitField("Record publication", widget=GovSubmitInput())


class HomeOfficeForm(VersionedForm):
    submitted_on = GovDateField("Date sent to the Home Office Quality Assurance Panel")
    letter_on = GovDateField("Date of the Home Office letter")
    outcome = StringField(
        "What the letter said",
        description="For example, approved for publication, or changes requested.",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Keep this to 200 characters or fewer")],
    )
    submit = SubmitField("Save quality assurance dates", widget=GovSubmitInput())


class LinkForm(FlaskForm):
    other_review_id = SelectField(
        "Linked review",
        coerce=int,
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the linked review")],
    )
    kind = RadioField(
        "How they are linked",
        choices=choices_of(
            [(item.value, f"This review {item.label.lower()} it") for item in LinkKind]
        ),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how the reviews are linked")],
    )
    submit = SubmitField("Link the reviews", widget=GovSubmitInput())


class AgenciesForm(VersionedForm):
    agency_ids = SelectMultipleField(
        "Agencies involved",
        description="Leads of these agencies may read the review.",
        coerce=int,
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField("Save agencies involved", widget=GovSubmitInput())


class FamilyInvolvementForm(FlaskForm):
    person = StringField(
        "Who was invited (pseudonymised)",
        description="For example, Mother of Child Q, or Child Q.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter who was invited, such as Mother of Child Q"),
            Length(max=200, message="Keep this to 200 characters or fewer"),
        ],
    )
    invited_on = GovDateField("Date invited")
    consent = RadioField(
        "Consent",
        choices=choices_of([(item.value, item.label) for item in Consent]),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose whether consent was given")],
    )
    contact_preferences = TextAreaField("Contact preferences", widget=GovTextArea())
    views_used = TextAreaField("How their views were used", widget=GovTextArea())
    submit = SubmitField("Add to the family involvement log", widget=GovSubmitInput())


class DetailsForm(VersionedForm):
    reference = StringField(
        "Reference",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a reference"),
            Length(max=40, message="The reference must be 40 characters or fewer"),
        ],
    )
    subject_label = StringField(
        "Subject (pseudonymised)",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the pseudonymised subject, such as Child Q"),
            Length(max=80, message="The subject must be 80 characters or fewer"),
        ],
    )
    national_reference = StringField(
        "National Panel or Home Office reference",
        widget=GovTextInput(),
        validators=[Length(max=60, message="The reference must be 60 characters or fewer")],
    )
    jurisdiction = SelectField(
        "Calendar for working days",
        choices=choices_of([("", "The review type's default"), *JURISDICTIONS.items()]),
        widget=GovSelect(),
        validate_choice=False,
    )
    variant = SelectField("Kind of review", widget=GovSelect(), validate_choice=False)
    aware_on = GovDateField("Date the local authority became aware")
    notified_on = GovDateField("Date notified")
    completed_on = GovDateField("Date completed")
    submit = SubmitField("Save details", widget=GovSubmitInput())


def add_error(form: FlaskForm, field_name: str | None, message: str) -> None:
    """Show a service's refusal beside its field (or above the form)."""
    field: Field | None = getattr(form, field_name, None) if field_name else None
    if field is None or not isinstance(field, Field):
        form.form_errors.append(message)
        return
    field.errors = [*field.errors, message]


# Corrections (issue 20) ----------------------------------------------------------------


class UndoStageForm(VersionedForm):
    reason = TextAreaField(
        "Why is the move being undone?",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter why the move is being undone")],
    )
    submit = SubmitField("Undo the move", widget=GovSubmitInput())


class MoveReviewForm(VersionedForm):
    partnership_id = SelectField(
        "Partnership the review belongs to",
        coerce=forms_common.optional_int,
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the partnership the review belongs to")],
    )
    reason = TextAreaField(
        "Why is the review being moved?",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter why the review is being moved")],
    )
    submit = SubmitField("Move the review", widget=GovSubmitInput())


class WithdrawReviewForm(VersionedForm):
    reason = TextAreaField(
        "Why is the review being withdrawn?",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter why the review is being withdrawn")],
    )
    submit = SubmitField("Withdraw the review", widget=GovSubmitInput())


# Submissions to external bodies (issue 22) ----------------------------------------------


class SubmissionForm(FlaskForm):
    body_key = RadioField(
        "Sent to",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the body the review was sent to")],
    )
    sent_on = GovDateField("Date sent", required="Enter the date it was sent")
    what_was_sent = TextAreaField(
        "What was sent",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter what was sent"),
            Length(max=10000, message="What was sent must be 10,000 characters or fewer"),
        ],
    )
    reply_within = StringField(
        "Reply expected within (leave blank for the body's usual time)",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    reply_unit = RadioField(
        "Counted in",
        choices=choices_of(
            [
                ("", "The body's usual unit"),
                ("working_days", "Working days"),
                ("calendar_days", "Calendar days"),
            ]
        ),
        default="",
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Record the submission", widget=GovSubmitInput())

    @property
    def reply_length(self) -> int | None:
        raw = (self.reply_within.data or "").strip()
        return int(raw) if raw else None

    def validate_reply_within(self, field: StringField) -> None:
        raw = (field.data or "").strip()
        if raw and not raw.isdigit():
            raise StopValidation("The time for a reply must be a whole number of days, like 15")


class SubmissionReplyForm(VersionedForm):
    reply_on = GovDateField("Date of the reply", required="Enter the date of the reply")
    reply_text = TextAreaField(
        "What the reply said",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter what the reply said"),
            Length(max=10000, message="The reply must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Record the reply", widget=GovSubmitInput())
