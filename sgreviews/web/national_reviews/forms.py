"""The form of an entry in the register of national reviews tabled."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from sgreviews.services.national_reviews import register
from sgreviews.web.reviews.forms import GovDateField, VersionedForm


class EntryForm(VersionedForm):
    title = StringField(
        "Title of the national review",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the title of the national review"),
            Length(
                max=register.TITLE_MAX,
                message=f"The title must be {register.TITLE_MAX:,} characters or fewer",
            ),
        ],
    )
    published_by = StringField(
        "Published by",
        description="For example, Child Safeguarding Practice Review Panel",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter who published the national review"),
            Length(
                max=register.PUBLISHED_BY_MAX,
                message=f"Who published it must be {register.PUBLISHED_BY_MAX:,} characters "
                "or fewer",
            ),
        ],
    )
    published_on = GovDateField("Date published (optional)", description="For example, 27 3 2025")
    tabled_on = GovDateField(
        "Date tabled",
        required="Enter the date it was tabled",
        description="The date of the meeting that considered it, for example 12 6 2025",
    )
    tabled_at = StringField(
        "Where it was tabled",
        description="The board or subgroup, for example Case review subgroup",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter where it was tabled, for example the board or a subgroup"),
            Length(
                max=register.TABLED_AT_MAX,
                message=f"Where it was tabled must be {register.TABLED_AT_MAX:,} characters "
                "or fewer",
            ),
        ],
    )
    what_was_done = TextAreaField(
        "What the partnership did as a result",
        description="The actions agreed, the learning shared, the assurance sought. You can "
        "use Markdown: a blank line starts a paragraph, a line starting with - is a list item.",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter what the partnership did as a result"),
            Length(
                max=register.WHAT_WAS_DONE_MAX,
                message="What the partnership did must be "
                f"{register.WHAT_WAS_DONE_MAX:,} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def entry(self) -> register.Entry:
        return register.Entry(
            title=self.title.data or "",
            published_by=self.published_by.data or "",
            published_on=self.published_on.data,
            tabled_on=self.tabled_on.data,
            tabled_at=self.tabled_at.data or "",
            what_was_done=self.what_was_done.data or "",
        )


class DeleteForm(VersionedForm):
    submit = SubmitField("Yes, remove it", widget=GovSubmitInput())
