"""Test data builders. Every name is fictional."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sgreviews.clock import london_today, utcnow
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Agency,
    Finding,
    FindingKind,
    Notification,
    Partnership,
    PartnershipKind,
    Review,
    Role,
    Sector,
    SubjectKind,
    User,
)
from sgreviews.services.accounts import users

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def partnership(**overrides: object) -> Partnership:
    number = next(_sequence)
    values: dict[str, object] = {
        "name": f"Testshire Safeguarding Children Partnership {number}",
        "short_name": f"TSCP{number}",
        "kind": PartnershipKind.CHILDREN,
    }
    values.update(overrides)
    item = Partnership(**values)
    db.session.add(item)
    db.session.flush()
    return item


def agency(**overrides: object) -> Agency:
    number = next(_sequence)
    values: dict[str, object] = {"name": f"Testshire Agency {number}", "sector": Sector.POLICE}
    values.update(overrides)
    item = Agency(**values)
    db.session.add(item)
    db.session.flush()
    return item


def user(role: Role, agency_: Agency | None = None, **overrides: object) -> User:
    number = next(_sequence)
    if role.needs_agency and agency_ is None:
        agency_ = agency()
    email = str(overrides.pop("email", f"{role.value}{number}@test.example"))
    item = users.create_user(
        email=email,
        display_name=str(overrides.pop("display_name", f"Test {role.label} {number}")),
        role=role,
        password=str(overrides.pop("password", PASSWORD)),
        agency=agency_,
    )
    for key, value in overrides.items():
        setattr(item, key, value)
    db.session.flush()
    return item


def review(partnership_: Partnership | None = None, **overrides: object) -> Review:
    number = next(_sequence)
    values: dict[str, object] = {
        "reference": f"LCSPR-2025-{number:02d}",
        "review_type": "lcspr",
        "subject_label": f"Child {chr(65 + number % 26)}",
        "subject_kind": SubjectKind.CHILD,
        "stage": "in_progress",
        "started_on": date(2025, 5, 1),
    }
    values.update(overrides)
    item = Review(partnership=partnership_ or partnership(), **values)
    db.session.add(item)
    db.session.flush()
    return item


def finding(review_: Review | None = None, **overrides: object) -> Finding:
    values: dict[str, object] = {
        "kind": FindingKind.LEARNING_POINT,
        "text": "Practitioners did not test the account against the history.",
    }
    values.update(overrides)
    item = Finding(review=review_ or review(), **values)
    db.session.add(item)
    db.session.flush()
    return item


def action(
    owning_agency: Agency | None = None, finding_: Finding | None = None, **overrides: object
) -> Action:
    number = next(_sequence)
    due = overrides.pop("due_date", london_today() + timedelta(days=30))
    values: dict[str, object] = {
        "reference": f"A-{number}",
        "outcome_sought": "Accounts are tested against history",
        "action_text": "Add a prompt to strategy-discussion records",
        "measure_of_success": "Audit shows the prompt used in 80% of records",
        "due_date": due,
        "original_due_date": overrides.pop("original_due_date", due),
        "status": ActionStatus.NOT_STARTED,
    }
    values.update(overrides)
    item = Action(
        owning_agency=owning_agency or agency(),
        findings=[finding_ or finding()],
        **values,
    )
    db.session.add(item)
    db.session.flush()
    return item


def notification(user_: User, subject_id: int, *, read: bool = False) -> Notification:
    """One in-app reminder line for the user (unread unless ``read``)."""
    made = Notification(
        user_id=user_.id,
        subject_type="action",
        subject_id=subject_id,
        run_date=date(2026, 11, 2),
        severity="overdue",
        headline=f"Action {subject_id} is overdue",
        detail="",
        link_path="/notifications",
        read_at=utcnow() if read else None,
    )
    db.session.add(made)
    return made
