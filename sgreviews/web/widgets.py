"""Form widgets that build on govuk-frontend-wtf."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput


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
