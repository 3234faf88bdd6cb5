"""Small helpers shared by the findings, actions and plan forms."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, Field

# GOV.UK date inputs send day, month and year as three values with the same name.
DATE_FORMAT = "%d %m %Y"


def add_error(form: Any, field_name: str, message: str) -> None:
    """Show a message beside a field (and in the error summary) after a service refused
    the input."""
    field: Field | None = getattr(form, field_name, None)
    if field is None:
        field = form.submit
    field.errors = [*field.errors, message]


def optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class GovDateField(DateField):
    """A date from the three GOV.UK inputs, with a clear message for a bad date."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
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
