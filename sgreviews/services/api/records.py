"""The API's records: each object as the JSON the OpenAPI document describes. Dates are
ISO 8601 strings, moments in UTC, enumerations by their stored value."""

from __future__ import annotations

from collections.abc import Set
from datetime import date, datetime
from typing import Any

from sgreviews.models import Action, Finding, Review
from sgreviews.models.review import ReviewDeadline
from sgreviews.services.actions.rag import Rag
from sgreviews.services.reviews.queries import DeadlineState


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def review(item: Review) -> dict[str, Any]:
    return {
        "id": item.id,
        "reference": item.reference,
        "partnership_id": item.partnership_id,
        "partnership": item.partnership.name,
        "review_type": item.review_type,
        "subject_label": item.subject_label,
        "subject_kind": item.subject_kind.value,
        "stage": item.stage,
        "on_hold": item.active_hold is not None,
        "notified_on": _day(item.notified_on),
        "started_on": _day(item.started_on),
        "completed_on": _day(item.completed_on),
        "published_on": _day(item.published_on),
        "version": item.version,
        "updated_at": _moment(item.updated_at),
    }


def finding(item: Finding, visible_action_ids: Set[int]) -> dict[str, Any]:
    """``visible_action_ids``: the actions the caller may read; the others are left out."""
    return {
        "id": item.id,
        "review_id": item.review_id,
        "review_reference": item.review.reference,
        "position": item.position,
        "kind": item.kind.value,
        "text": item.text,
        "themes": [theme.key for theme in item.themes],
        "action_ids": sorted(
            action.id for action in item.actions if action.id in visible_action_ids
        ),
        "addressed_at": _moment(item.addressed_at),
        "version": item.version,
    }


def action(item: Action, rag: Rag) -> dict[str, Any]:
    lead = item.lead_user.display_name if item.lead_user is not None else item.lead_name
    reviews = sorted({(finding.review.id, finding.review.reference) for finding in item.findings})
    return {
        "id": item.id,
        "reference": item.reference,
        "outcome_sought": item.outcome_sought,
        "action_text": item.action_text,
        "measure_of_success": item.measure_of_success,
        "owning_agency_id": item.owning_agency_id,
        "owning_agency": item.owning_agency.name,
        "lead": lead,
        "lead_subgroup": item.lead_subgroup,
        "due_date": _day(item.due_date),
        "original_due_date": _day(item.original_due_date),
        "status": item.status.value,
        "off_track": item.off_track,
        "rag": rag.value,
        "impact_status": item.impact_status.value,
        "finding_ids": sorted(finding.id for finding in item.findings),
        "review_ids": [review_id for review_id, _reference in reviews],
        "review_references": [reference for _review_id, reference in reviews],
        "version": item.version,
        "updated_at": _moment(item.updated_at),
    }


def clock(item: ReviewDeadline, state: DeadlineState) -> dict[str, Any]:
    return {
        "id": item.id,
        "review_id": item.review_id,
        "review_reference": item.review.reference,
        "clock_key": item.clock_key,
        "name": item.name,
        "start_on": _day(item.start_on),
        "due_on": _day(item.due_on),
        "met_on": _day(item.met_on),
        "state": state.value,
        "rule": item.rule,
        "calendar": item.calendar,
    }


# The columns of the CSV feed, in order: flat values a spreadsheet or Power BI reads.
ACTION_CSV_COLUMNS = (
    "id",
    "reference",
    "review_references",
    "owning_agency",
    "lead",
    "outcome_sought",
    "action_text",
    "measure_of_success",
    "due_date",
    "original_due_date",
    "status",
    "off_track",
    "rag",
    "impact_status",
    "version",
    "updated_at",
)


def action_csv_row(record: dict[str, Any]) -> list[object]:
    row: list[object] = []
    for column in ACTION_CSV_COLUMNS:
        value = record[column]
        if isinstance(value, list):
            value = "; ".join(str(part) for part in value)
        row.append("" if value is None else value)
    return row
