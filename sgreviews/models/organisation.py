"""Partnerships (the commissioning bodies) and the agencies that own actions."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgreviews.models.base import Base, str_enum


class PartnershipKind(enum.Enum):
    CHILDREN = "children"
    ADULTS = "adults"
    COMMUNITY_SAFETY = "community_safety"

    @property
    def label(self) -> str:
        return {
            "children": "Safeguarding children partnership",
            "adults": "Safeguarding adults board",
            "community_safety": "Community safety partnership",
        }[self.value]


class Partnership(Base):
    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[PartnershipKind] = mapped_column(str_enum(PartnershipKind))
    # Issue 20: kept by the administrator. The jurisdiction whose bank holidays the
    # partnership's reviews count by (a code of ``services.clocks``), and the day it
    # started using the service.
    jurisdiction: Mapped[str | None] = mapped_column(String(3))
    go_live_on: Mapped[date | None]


class ImportMapping(Base):
    """A tracker column header a partnership mapped to an import field, remembered for its
    next tracker (services/actions/tracker_import.py). partnership_id NULL: any partnership."""

    __tablename__ = "import_mapping"
    __table_args__ = (
        UniqueConstraint("partnership_id", "header", name="uq_import_mapping_header"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE")
    )
    header: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(40))


class Sector(enum.Enum):
    POLICE = "police"
    HEALTH = "health"
    LOCAL_AUTHORITY = "local_authority"
    EDUCATION = "education"
    PROBATION = "probation"
    JUSTICE = "justice"
    FIRE = "fire"
    VOLUNTARY = "voluntary"
    # Childcare agencies (nurseries, childminder agencies): a relevant agency for
    # safeguarding arrangements under the Children's Wellbeing and Schools Act 2026.
    CHILDCARE = "childcare"
    OTHER = "other"

    @property
    def label(self) -> str:
        if self is Sector.CHILDCARE:
            return "Childcare agency"
        return str(self.value).replace("_", " ").capitalize()


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector))
    is_statutory_partner: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    former_names: Mapped[list[AgencyFormerName]] = relationship(
        back_populates="agency",
        order_by="AgencyFormerName.used_until",
        cascade="all, delete-orphan",
    )


class AgencyFormerName(Base):
    """A name an agency used before a rename (a CCG became an ICB in 2022): history keeps
    the link to the same agency, and reports can show the name in use at the time."""

    __tablename__ = "agency_former_name"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    used_from: Mapped[date | None]
    used_until: Mapped[date]

    agency: Mapped[Agency] = relationship(back_populates="former_names")
