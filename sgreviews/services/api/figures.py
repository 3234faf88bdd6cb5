"""The dashboard's figures for the API and the CSV feed of actions: the same functions as
the chair's dashboard (``services.dashboard``), as JSON-ready records and a table."""

from __future__ import annotations

from typing import Any

from sgreviews.services.api.records import ACTION_CSV_COLUMNS, action_csv_row
from sgreviews.services.dashboard.action_figures import action_overview
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.dashboard.review_activity import reviews_by_type_and_stage
from sgreviews.services.tabular import Table, to_csv


def dashboard(filters: Filters) -> dict[str, Any]:
    """Actions by agency and status, overdue ageing, and reviews by type and stage, for a
    business year (or one quarter), optionally one partnership and one agency."""
    overview = action_overview(filters)
    return {
        "business_year": filters.year.label,
        "quarter": filters.quarter,
        "partnership_id": filters.partnership_id,
        "agency_id": filters.agency_id,
        "today": filters.today.isoformat(),
        "actions_by_agency": [
            {
                "agency_id": row.agency_id,
                "agency": row.agency,
                "by_status": {status.value: count for status, count in row.by_status.items()},
                "open": row.open,
                "total": row.total,
                "overdue": row.overdue,
                "average_days_overdue": row.average_days_overdue,
            }
            for row in overview.by_agency
        ],
        "overdue_ageing": [{"band": band, "count": count} for band, count in overview.ageing],
        "reviews_by_type_and_stage": [
            {"review_type": review_type, "stage": stage, "count": count}
            for review_type, stage, count in reviews_by_type_and_stage(filters)
        ],
    }


def actions_csv(records: list[dict[str, Any]]) -> bytes:
    """The actions feed as CSV (UTF-8 with a byte-order mark, formula-safe cells)."""
    return to_csv(
        Table(
            key="actions",
            title="Actions",
            headers=ACTION_CSV_COLUMNS,
            rows=[action_csv_row(record) for record in records],
        )
    )
