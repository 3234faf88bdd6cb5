"""Every model, imported here so the metadata (and Alembic) sees them all."""

from sgreviews.models.action import (
    Action,
    ActionStatus,
    ActionUpdate,
    EvidenceFile,
    ExtensionRequest,
    ExtensionStatus,
    ImpactMethod,
    ImpactStatus,
    UpdateKind,
)
from sgreviews.models.api_token import ApiScope, ApiToken
from sgreviews.models.assurance import Challenge, ChallengeStatus, ReviewBudget
from sgreviews.models.audit import AuditEvent
from sgreviews.models.base import Base
from sgreviews.models.finding import Addressee, Finding, FindingKind, RecommendationLevel, Theme
from sgreviews.models.finding_link import FindingLink, LinkDecision
from sgreviews.models.national_review import NationalReviewTabled
from sgreviews.models.operations import SchedulerHeartbeat
from sgreviews.models.organisation import (
    Agency,
    AgencyFormerName,
    ImportMapping,
    Partnership,
    PartnershipKind,
    Sector,
)
from sgreviews.models.plan_tally import ActionDueTally
from sgreviews.models.reminders import (
    ActionSnooze,
    JobLock,
    Notification,
    NotificationSetting,
    OutboxMessage,
    OutboxState,
    ReminderLedgerEntry,
)
from sgreviews.models.report_narrative import ReportNarrative
from sgreviews.models.review import Review, SubjectKind
from sgreviews.models.signed_report import SignedReport, SignedReportChange
from sgreviews.models.submission import Submission
from sgreviews.models.tally import (
    ActionMonthTally,
    ActionStatusTally,
    OpenActionMonthTally,
    ThemeYearTally,
)
from sgreviews.models.user import Role, User

__all__ = [
    "Action",
    "ActionDueTally",
    "ActionMonthTally",
    "ActionSnooze",
    "ActionStatus",
    "ActionStatusTally",
    "ActionUpdate",
    "Addressee",
    "Agency",
    "AgencyFormerName",
    "ApiScope",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Challenge",
    "ChallengeStatus",
    "EvidenceFile",
    "ExtensionRequest",
    "ExtensionStatus",
    "Finding",
    "FindingKind",
    "FindingLink",
    "ImpactMethod",
    "ImpactStatus",
    "ImportMapping",
    "JobLock",
    "LinkDecision",
    "NationalReviewTabled",
    "Notification",
    "NotificationSetting",
    "OpenActionMonthTally",
    "OutboxMessage",
    "OutboxState",
    "Partnership",
    "PartnershipKind",
    "RecommendationLevel",
    "ReminderLedgerEntry",
    "ReportNarrative",
    "Review",
    "ReviewBudget",
    "Role",
    "SchedulerHeartbeat",
    "Sector",
    "SignedReport",
    "SignedReportChange",
    "SubjectKind",
    "Submission",
    "Theme",
    "ThemeYearTally",
    "UpdateKind",
    "User",
]

from sgreviews.models.briefing import (
    Briefing,
    BriefingKind,
    BriefingRead,
    BriefingTeamUse,
    BriefingVersion,
    PartnershipBriefingSettings,
    PersonalDataOverride,
    VersionStatus,
)

__all__ += [
    "Briefing",
    "BriefingKind",
    "BriefingRead",
    "BriefingTeamUse",
    "BriefingVersion",
    "PartnershipBriefingSettings",
    "PersonalDataOverride",
    "VersionStatus",
]
