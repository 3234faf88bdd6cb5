"""Small helpers shared by the findings, actions and plan forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from govuk_frontend_wtf.main import wtforms_errors as library_wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField, Field, SelectChoice
from wtforms.validators import DataRequired

from sgreviews.clock import london_today
from sgreviews.web.widgets import DateInput

# GOV.UK date inputs send day, month and year as three values with the same name.
DATE_FORMAT = "%d %m %Y"


def add_error(form: Any, field_name: str, message: str) -> None:
    """Show a message beside a field (and in the error summary) after a service refused
    the input."""
    field: Field | None = getattr(form, field_name, None)
    if field is None:
        field = form.submit
    field.errors = [*field.errors, message]


def wtforms_errors(form: Any, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error summary's list (govuk-frontend-wtf's), with each date's link pointing at
    its Day box: the library links to the date's wrapper, which cannot take focus, so the
    link would not move focus to the field."""
    result: dict[str, Any] = library_wtforms_errors(form, params or {})
    dates = {
        f"#{field.id}": f"#{field.name}-day"
        for field in form
        if isinstance(getattr(field, "widget", None), GovDateInput)
    }
    for item in result.get("errorList", []):
        item["href"] = dates.get(item.get("href"), item.get("href"))
    return result


def choices_of(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """A select's or radio group's options from (value, label) pairs: WTForms 3.3
    deprecates the pairs themselves."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class GovDateField(DateField):
    """A date from the three GOV.UK inputs, with a clear message for a bad date. Without a
    widget given, it uses the date input that survives a request with missing parts."""

    data: date | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("format", DATE_FORMAT)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not any(str(value).strip() for value in valuelist):
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from error


def _display(value: Any, describe: Callable[[Any], str] | None) -> str:
    if value in (None, "", []):
        return ""
    if describe is not None:
        return describe(value)
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def comparison(
    current: dict[str, Any],
    form: Any,
    fields: list[tuple[str, str]],
    describe: dict[str, Callable[[Any], str]] | None = None,
) -> list[tuple[str, str, str]]:
    """(label, their saved value, the value typed in the form) for each field where the
    two differ, in words a person reads (names, not ids)."""
    describe = describe or {}
    rows = []
    for key, label in fields:
        theirs = current.get(key)
        if isinstance(theirs, str) and key.endswith("date"):
            theirs = date.fromisoformat(theirs)
        field = getattr(form, key, None)
        yours = field.data if field is not None else None
        their_text = _display(theirs, describe.get(key))
        your_text = _display(yours, describe.get(key))
        if their_text.strip() != your_text.strip():
            rows.append((label, their_text, your_text))
    return rows


EFFECTIVE_ON_HINT = (
    "The day this took effect. Leave as today unless you are entering history, "
    "for example 31 3 2022."
)


def effective_on_field() -> GovDateField:
    """The "Effective on" date of a dated event (issue 18): today unless history is being
    entered; the service refuses a day in the future or before the review began."""
    return GovDateField(
        "Effective on",
        description=EFFECTIVE_ON_HINT,
        default=london_today,
        # DataRequired, not InputRequired: a request without the field at all (an older
        # page, a script) keeps today; three blank boxes are refused beside the field.
        validators=[DataRequired("Enter the date it took effect")],
    )
