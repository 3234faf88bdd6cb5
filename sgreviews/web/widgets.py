"""Form widgets that build on govuk-frontend-wtf."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField


class DateInput(GovDateInput):
    """GOV.UK date input (day, month, year boxes sharing the field's name) that survives a
    request carrying fewer than three parts: the library unpacks exactly three and would
    fail with a server error."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        raw = field.raw_data
        if raw is not None and len(raw) != 3:
            field.raw_data = [*raw, "", "", ""][:3]
        try:
            params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        finally:
            field.raw_data = raw
        return params


class GovDateField(DateField):
    """A date typed as day, month and year boxes, with a message a person can act on when
    the parts do not make a real date."""

    def __init__(self, label: str, invalid_message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, **kwargs)
        self.invalid_message = invalid_message or f"{label} must be a real date"

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(self.invalid_message) from error
