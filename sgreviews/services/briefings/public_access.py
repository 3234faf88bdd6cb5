"""Whether a partnership opens its published briefings to everyone (the public library and
reading pages, no sign-in), and the administrator's setting of it."""

from __future__ import annotations

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Partnership, PartnershipBriefingSettings, User
from sgreviews.services import audit


def is_public(partnership_id: int) -> bool:
    settings = db.session.get(PartnershipBriefingSettings, partnership_id)
    return settings is not None and settings.public_briefings


def public_settings() -> list[tuple[Partnership, bool]]:
    rows = db.session.execute(
        select(Partnership, PartnershipBriefingSettings.public_briefings)
        .outerjoin(
            PartnershipBriefingSettings,
            PartnershipBriefingSettings.partnership_id == Partnership.id,
        )
        .order_by(Partnership.name)
    ).all()
    return [(partnership, bool(public)) for partnership, public in rows]


def set_public(partnership: Partnership, public: bool, *, actor: User) -> None:
    settings = db.session.get(PartnershipBriefingSettings, partnership.id)
    before = settings.public_briefings if settings is not None else False
    if settings is None:
        settings = PartnershipBriefingSettings(partnership_id=partnership.id)
        db.session.add(settings)
    settings.public_briefings = public
    db.session.flush()
    if before != public:
        audit.record(
            actor,
            "partnership",
            partnership.id,
            "briefings_public",
            {"public_briefings": before},
            {"public_briefings": public},
        )
