"""The directory of people a reminder run tells: every active user with their role,
agency and whether they want email, the agencies' leads, and which secretariat and chair
users serve which partnership (the national ones serve none in particular).

Loaded once per run: it grows with the users, not with the actions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Agency, NotificationSetting, Role, User
from sgreviews.models.user import user_partnership
from sgreviews.services.reminders.subjects import Subject


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    role: Role
    agency_id: int | None
    wants_email: bool


PARTNERSHIP_ROLES = (Role.SECRETARIAT, Role.CHAIR)


@dataclass
class Directory:
    """Active users and agencies, loaded once per run (it grows with users, not actions).

    Secretariat and chair users linked to partnerships serve those partnerships
    (``serving``); the unlinked ones are national (``national``)."""

    people: dict[int, Person]
    agency_names: dict[int, str]
    agency_leads: dict[int, list[int]]
    by_role: dict[Role, list[int]]
    serving: dict[tuple[int, Role], list[int]] = field(default_factory=dict)
    national: dict[Role, list[int]] = field(default_factory=dict)
    _staff_cache: dict[tuple[Role, tuple[int, ...]], list[int]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def load(cls) -> Directory:
        rows = db.session.execute(
            select(
                User.id,
                User.email,
                User.role,
                User.agency_id,
                NotificationSetting.email_digest,
            )
            .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
            .where(User.is_active.is_(True))
        ).all()
        people = {
            row[0]: Person(row[0], row[1], row[2], row[3], row[4] is not False) for row in rows
        }
        agency_leads: dict[int, list[int]] = defaultdict(list)
        by_role: dict[Role, list[int]] = defaultdict(list)
        for person in people.values():
            by_role[person.role].append(person.id)
            if person.role is Role.AGENCY_LEAD and person.agency_id is not None:
                agency_leads[person.agency_id].append(person.id)
        agency_names = dict(db.session.execute(select(Agency.id, Agency.name)).all())
        serving: dict[tuple[int, Role], list[int]] = defaultdict(list)
        linked: set[int] = set()
        links = db.session.execute(
            select(user_partnership.c.user_id, user_partnership.c.partnership_id).order_by(
                user_partnership.c.partnership_id, user_partnership.c.user_id
            )
        ).all()
        for user_id, partnership_id in links:
            linked_person = people.get(user_id)
            if linked_person is None or linked_person.role not in PARTNERSHIP_ROLES:
                continue
            serving[(partnership_id, linked_person.role)].append(user_id)
            linked.add(user_id)
        national = {
            role: [uid for uid in by_role.get(role, []) if uid not in linked]
            for role in PARTNERSHIP_ROLES
        }
        return cls(people, agency_names, dict(agency_leads), dict(by_role), dict(serving), national)

    def staff(self, role: Role, partnership_ids: Sequence[int]) -> list[int]:
        """The secretariat (or chair) users to tell about a subject of these partnerships:
        those linked to them; when none is, the national (unlinked) ones; when there are
        none of those either, every user of the role, so nothing falls on nobody."""
        if role not in PARTNERSHIP_ROLES:
            return self.by_role.get(role, [])
        key = (role, tuple(partnership_ids))
        cached = self._staff_cache.get(key)
        if cached is not None:
            return cached
        found = sorted({uid for pid in key[1] for uid in self.serving.get((pid, role), [])})
        result = found or self.national.get(role) or self.by_role.get(role, [])
        self._staff_cache[key] = result
        return result

    def audience(self, name: str, subject: Subject) -> list[int]:
        if name == "agency_leads":
            return self.agency_leads.get(subject.agency_id or -1, [])
        return self.staff(Role(name), subject.partnership_ids)
