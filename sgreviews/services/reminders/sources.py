"""Reminder sources: everything the engine can remind about, each a
:class:`~sgreviews.services.reminders.subjects.ReminderSource` yielding
:class:`~sgreviews.services.reminders.subjects.Subject` pages.

- :class:`ActionSource`: open actions (to their lead, or their agency's leads);
- :class:`ReviewClockSource` and :class:`PrePublicationSource`: the reviews' statutory
  clocks (to the secretariat);
- :class:`BriefingReviewBySource`: the briefings' review-by dates (to their authors);
- :class:`SubmissionReplySource`: submissions to external bodies awaiting their reply
  (to the secretariat, escalated when the reply is late);
- in :mod:`.action_sources`: planned impact assessments, and decisions told back to the
  people who own an action;
- in :mod:`.report_sources`: the yearly report's publication clock (to the secretariat).

:func:`default_sources` lists the ones a run uses. Sources other than actions carry their
own ``thresholds``; the engine records each decision in the same ledger (so each reminder
is sent once, and a moved due date re-arms it), and the items join the same digests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, select

from sgreviews.extensions import db
from sgreviews.models import Action, ActionSnooze, ActionStatus, Finding, Partnership, Review
from sgreviews.models.action import action_finding
from sgreviews.models.review import ReviewDeadline, StageTransition
from sgreviews.models.submission import Submission
from sgreviews.services.briefings.library import briefings_due_for_review
from sgreviews.services.clocks import (
    Calendar,
    calendar_for,
    clock_jurisdiction,
    working_days_between,
)
from sgreviews.services.reminders.action_sources import (
    ActionOutcomeSource,
    ExtensionDecisionSource,
    ImpactAssessmentSource,
)
from sgreviews.services.reminders.go_live import (
    DateColumn,
    action_date_reminded,
    review_date_reminded,
)
from sgreviews.services.reminders.report_sources import YearlyReportSource
from sgreviews.services.reminders.rules import (
    ReminderRules,
    ReviewClockRules,
    SubmissionReplyRules,
    Thresholds,
)
from sgreviews.services.reminders.subjects import ReminderSource, Subject
from sgreviews.services.reviews.lifecycle import review_types
from sgreviews.services.reviews.queries import active_hold
from sgreviews.services.submissions import awaiting_reply_clause, bodies

# --- actions -------------------------------------------------------------------------


OPEN_STATUSES = [status for status in ActionStatus if status.is_open]


def review_reminded(day: DateColumn, default_go_live_on: date | None) -> ColumnElement[bool]:
    """SQL, over ``Review``: a review's date is reminded when the review counts (not
    withdrawn), is not a historical record, and the date is on or after its partnership's
    go-live (``go_live``). The one rule every review-based source filters on."""
    return and_(
        Review.counted_clause(),
        Review.historical.is_(False),
        review_date_reminded(day, default_go_live_on),
    )


class ActionSource:
    """Open actions (not started or in progress), minus those the secretariat snoozed and
    those due before their partnerships' go-live (``go_live``)."""

    subject_type = "action"

    def __init__(self, default_go_live_on: date | None = None) -> None:
        self.default_go_live_on = default_go_live_on

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        snoozed = exists().where(
            ActionSnooze.action_id == Action.id,
            ActionSnooze.ended_at.is_(None),
            ActionSnooze.snoozed_until >= today,
        )
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    Action.id,
                    Action.reference,
                    Action.action_text,
                    Action.due_date,
                    Action.owning_agency_id,
                    Action.lead_user_id,
                )
                .where(
                    Action.id > last_id,
                    Action.status.in_(OPEN_STATUSES),
                    Action.due_date <= today + timedelta(days=horizon_days),
                    ~snoozed,
                    action_date_reminded(Action.due_date, self.default_go_live_on),
                )
                .order_by(Action.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            partnerships = _action_partnerships(rows[0][0], rows[-1][0])
            last_id = rows[-1][0]
            yield [
                Subject(
                    "action",
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    partnership_ids=partnerships.get(row[0], ()),
                )
                for row in rows
            ]


def _action_partnerships(first_id: int, last_id: int) -> dict[int, tuple[int, ...]]:
    """The partnerships of the actions with ids in [first_id, last_id], through the
    findings they answer (one query per page, a range scan of action_finding's key)."""
    rows = db.session.execute(
        select(action_finding.c.action_id, Review.partnership_id)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(action_finding.c.action_id.between(first_id, last_id))
        .distinct()
    ).all()
    found: dict[int, list[int]] = defaultdict(list)
    for action_id, partnership_id in rows:
        found[action_id].append(partnership_id)
    return {action_id: tuple(sorted(ids)) for action_id, ids in found.items()}


# --- review clocks -------------------------------------------------------------------


# Working days never span more than this many calendar days per working day (a weekend
# plus the Christmas and Easter bank holidays); the exact count is taken per deadline.
CALENDAR_DAYS_PER_WORKING_DAY = 3
SLACK_DAYS = 7


def working_day_offset(due_on: date, today: date, calendar: Calendar) -> int:
    """Working days past ``due_on`` (negative: working days still to go; 0: due today)."""
    if due_on > today:
        return -working_days_between(today, due_on, calendar)
    return working_days_between(due_on, today, calendar)


class ReviewClockSource:
    """Unmet statutory deadlines of reviews not on hold (a hold pauses the clocks), and the
    pre-publication notice for reviews whose final report must reach the Panel a number
    of working days before publication. Everything goes to the secretariat (no owner):
    those serving the review's partnership, or the national ones when nobody does."""

    subject_type = "review_deadline"

    def __init__(self, rules: ReviewClockRules, default_go_live_on: date | None = None) -> None:
        self.rules = rules
        self.default_go_live_on = default_go_live_on
        self.thresholds = rules.thresholds
        self._calendars: dict[str, Calendar] = {}

    def _calendar(self, jurisdiction: str) -> Calendar:
        if jurisdiction not in self._calendars:
            self._calendars[jurisdiction] = calendar_for(jurisdiction)
        return self._calendars[jurisdiction]

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        ahead = self.thresholds.horizon * CALENDAR_DAYS_PER_WORKING_DAY + SLACK_DAYS
        types = review_types()
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    ReviewDeadline.id,
                    ReviewDeadline.clock_key,
                    ReviewDeadline.name,
                    ReviewDeadline.due_on,
                    Review.id,
                    Review.reference,
                    Review.review_type,
                    Review.jurisdiction,
                    Review.partnership_id,
                    Partnership.jurisdiction,
                )
                .join(Review, Review.id == ReviewDeadline.review_id)
                .join(Partnership, Partnership.id == Review.partnership_id)
                .where(
                    ReviewDeadline.id > last_id,
                    ReviewDeadline.met_on.is_(None),
                    ReviewDeadline.due_on <= today + timedelta(days=ahead),
                    ~active_hold(),
                    review_reminded(ReviewDeadline.due_on, self.default_go_live_on),
                )
                .order_by(ReviewDeadline.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            page = []
            for row in rows:
                deadline_id, clock_key, name, due_on, review_id, reference, kind, place = row[:8]
                if not self.rules.covers(kind, clock_key):
                    continue
                review_type = types.get(kind)
                jurisdiction = clock_jurisdiction(
                    place, row[9], _clock_jurisdiction(review_type, clock_key)
                )
                offset = working_day_offset(due_on, today, self._calendar(jurisdiction))
                if offset < -self.thresholds.horizon:
                    continue
                page.append(
                    Subject(
                        self.subject_type,
                        deadline_id,
                        reference,
                        f"Statutory deadline: {name}.",
                        due_on,
                        None,
                        None,
                        link=f"/reviews/{review_id}",
                        offset=offset,
                        unit="working days",
                        partnership_ids=(row[8],),
                    )
                )
            if page:
                yield page


def _clock_jurisdiction(review_type: object, clock_key: str) -> str | None:
    for clock in getattr(review_type, "clocks", ()):
        if clock.key == clock_key:
            return str(clock.jurisdiction)
    return None


class PrePublicationSource:
    """Reviews that reached their final report stage with the report not yet sent to the
    Panel: one reminder (on the day the stage was reached, or the next run after it) that
    it must go at least N working days before publication."""

    subject_type = "review_prepublication"
    thresholds = Thresholds(before=(), on_due_date=True, after=())

    def __init__(self, default_go_live_on: date | None = None) -> None:
        self.default_go_live_on = default_go_live_on

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        lead_days = {
            key: review_type.final_report_lead_days
            for key, review_type in review_types().items()
            if review_type.final_report_lead_days > 0
        }
        if not lead_days:
            return
        reached = (
            select(
                StageTransition.review_id.label("review_id"),
                func.max(StageTransition.moved_on).label("moved_on"),
            )
            .where(StageTransition.to_stage == "final_report")
            .group_by(StageTransition.review_id)
            .subquery()
        )
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    Review.id,
                    Review.reference,
                    Review.review_type,
                    reached.c.moved_on,
                    Review.partnership_id,
                )
                .join(reached, reached.c.review_id == Review.id)
                .where(
                    Review.id > last_id,
                    Review.review_type.in_(list(lead_days)),
                    Review.stage == "final_report",
                    Review.final_report_sent_on.is_(None),
                    Review.published_on.is_(None),
                    reached.c.moved_on <= today,
                    ~active_hold(),
                    review_reminded(reached.c.moved_on, self.default_go_live_on),
                )
                .order_by(Review.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            yield [
                Subject(
                    self.subject_type,
                    review_id,
                    reference,
                    "Send the final report to the national Panel and the Secretary of State "
                    f"at least {lead_days[kind]} working days before publication.",
                    moved_on,
                    None,
                    None,
                    link=f"/reviews/{review_id}",
                    headline=f"{reference}: pre-publication notice to the Panel",
                    partnership_ids=(partnership_id,),
                )
                for review_id, reference, kind, moved_on, partnership_id in rows
            ]


class BriefingReviewBySource:
    """Published briefings approaching (or at) their review-by date: the author is
    reminded, or the secretariat when the author has no active account."""

    subject_type = "briefing"

    def __init__(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        # Published briefings are few (a partnership publishes dozens a year): one page.
        due = briefings_due_for_review(today + timedelta(days=self.thresholds.horizon))
        subjects = []
        for briefing, author, review_by in due:
            published = briefing.published
            title = published.title if published is not None else briefing.latest.title
            subjects.append(
                Subject(
                    self.subject_type,
                    briefing.id,
                    f"Briefing “{title}”: its review",
                    "Check the briefing is still right, then publish a new version or archive it.",
                    review_by,
                    None,
                    author.id if author is not None and author.is_active else None,
                    link=f"/briefings/{briefing.id}",
                    headline=None,
                    partnership_ids=(briefing.partnership_id,),
                )
            )
        for start in range(0, len(subjects), page_size):
            yield subjects[start : start + page_size]


class SubmissionReplySource:
    """Submissions of a review to an external body still awaiting their reply (none
    recorded, not resubmitted: :func:`~sgreviews.services.submissions.awaiting_reply_clause`):
    the secretariat serving the review's partnership is reminded before and on the date
    the reply is due, in the submission's own unit, and the ``[submission_replies]``
    escalation ladder tells others when it is missed. A historical or withdrawn review
    gets none."""

    subject_type = "submission_reply"

    def __init__(self, rules: SubmissionReplyRules, default_go_live_on: date | None = None) -> None:
        self.thresholds = rules
        self.default_go_live_on = default_go_live_on
        self._calendars: dict[str, Calendar] = {}

    def _calendar(self, jurisdiction: str) -> Calendar:
        if jurisdiction not in self._calendars:
            self._calendars[jurisdiction] = calendar_for(jurisdiction)
        return self._calendars[jurisdiction]

    def _offset(self, due_on: date, today: date, unit: str, jurisdiction: str) -> int:
        if unit == "working_days":
            return working_day_offset(due_on, today, self._calendar(jurisdiction))
        return (today - due_on).days

    def pages(self, today: date, horizon_days: int, page_size: int) -> Iterator[list[Subject]]:
        horizon = self.thresholds.thresholds.horizon
        ahead = horizon * CALENDAR_DAYS_PER_WORKING_DAY + SLACK_DAYS
        names = {key: body.name for key, body in bodies().items()}
        last_id = 0
        while True:
            rows = db.session.execute(
                select(
                    Submission.id,
                    Submission.body_key,
                    Submission.sent_on,
                    Submission.reply_due_on,
                    Submission.reply_unit,
                    Submission.jurisdiction,
                    Review.id,
                    Review.reference,
                    Review.partnership_id,
                )
                .join(Review, Review.id == Submission.review_id)
                .where(
                    Submission.id > last_id,
                    awaiting_reply_clause(),
                    Submission.reply_due_on <= today + timedelta(days=ahead),
                    review_reminded(Submission.reply_due_on, self.default_go_live_on),
                )
                .order_by(Submission.id)
                .limit(page_size)
            ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            page = []
            for row in rows:
                submission_id, body_key, sent_on, due_on, unit, place = row[:6]
                review_id, reference, partnership_id = row[6:]
                offset = self._offset(due_on, today, unit, place)
                if offset < -horizon:
                    continue
                body = names.get(body_key, body_key)
                page.append(
                    Subject(
                        self.subject_type,
                        submission_id,
                        f"{reference}: the reply from the {body}",
                        f"Sent to the {body} on {sent_on.strftime('%-d %B %Y')}; "
                        "record the reply on the review's page, or chase it.",
                        due_on,
                        None,
                        None,
                        link=f"/reviews/{review_id}#submissions",
                        offset=offset,
                        unit="working days" if unit == "working_days" else "days",
                        partnership_ids=(partnership_id,),
                    )
                )
            if page:
                yield page


# --- the sources of a run ------------------------------------------------------------


def default_sources(rules: ReminderRules | None = None) -> list[ReminderSource]:
    """Actions, and (with the rules that enable them) review clocks, briefings, impact
    assessments and decisions told back."""
    if rules is None:
        return [ActionSource()]
    go_live = rules.default_go_live_on
    sources: list[ReminderSource] = [ActionSource(go_live)]
    if rules.review_clocks.enabled:
        sources.append(ReviewClockSource(rules.review_clocks, go_live))
        if rules.review_clocks.pre_publication_notice:
            sources.append(PrePublicationSource(go_live))
    sources.append(BriefingReviewBySource(rules.briefing_review))
    if rules.submission_replies.enabled:
        sources.append(SubmissionReplySource(rules.submission_replies, go_live))
    sources.append(ImpactAssessmentSource(rules.impact_assessments, go_live))
    if rules.decisions_told_back.enabled:
        sources.append(ExtensionDecisionSource(rules.decisions_told_back, go_live))
        sources.append(ActionOutcomeSource(rules.decisions_told_back, go_live))
    sources.append(YearlyReportSource(rules.yearly_report, rules.default_go_live_on))
    return sources
