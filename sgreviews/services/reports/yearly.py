"""The yearly report pack: what the partnership reviewed, learned and changed in a business
year, written as plain sentences from the data.

A *public* version suppresses any count below 5 ("fewer than 5") and leaves out review
references, subject pseudonyms and anything else that could identify a subject.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Finding,
    ImpactStatus,
    Partnership,
    Review,
    Theme,
)
from sgreviews.models.action import action_finding
from sgreviews.models.finding import finding_theme
from sgreviews.review_types import ReviewType
from sgreviews.services.dashboard.dissemination import dissemination
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.periods import BusinessYear
from sgreviews.services.reports.recurred import TITLE as RECURRED
from sgreviews.services.reports.recurred import learning_that_recurred

SMALL_NUMBER = 5
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass(frozen=True)
class ReportTable:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: ReportTable | None = None


@dataclass(frozen=True)
class YearlyReport:
    title: str
    year: BusinessYear
    partnership: str
    public: bool
    sections: list[Section]


class Counts:
    """Numbers as the report writes them, suppressing small ones in the public version."""

    def __init__(self, public: bool) -> None:
        self.public = public

    def number(self, count: int) -> str:
        if self.public and 0 < count < SMALL_NUMBER:
            return "fewer than 5"
        return NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else f"{count:,}"

    def cell(self, count: int) -> str:
        if self.public and 0 < count < SMALL_NUMBER:
            return "fewer than 5"
        return f"{count:,}"

    def were(self, count: int) -> str:
        """The verb that agrees with a count as written ("one ... was", "fewer than 5 ... were")."""
        return "was" if count == 1 and not self.public else "were"

    def of(self, count: int, singular: str, plural: str | None = None) -> str:
        noun = singular if count == 1 and not self.public else (plural or singular + "s")
        if self.public and 0 < count < SMALL_NUMBER:
            noun = plural or singular + "s"
        return f"{self.number(count)} {noun}"


def _plural_name(review_type: ReviewType | None, key: str) -> tuple[str, str]:
    """How a sentence names a review type: a well-known acronym (LCSPR, SAR, DHR) for
    long names, otherwise the name itself ("rapid review", "Appreciative Inquiry")."""
    if review_type is None:
        return key, key
    name = review_type.name
    if review_type.short_name.isupper() and len(name.split()) >= 3:
        singular = review_type.short_name
    elif all(word[:1].isupper() for word in name.split()):
        singular = name  # a proper name such as Appreciative Inquiry keeps its capitals
    elif name.split()[0].isupper():
        singular = name  # starts with an acronym: "SILP review"
    else:
        singular = name[:1].lower() + name[1:]
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        plural = singular[:-1] + "ies"
    elif singular.endswith("s"):
        plural = singular
    else:
        plural = singular + "s"
    return singular, plural


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def build_yearly_report(
    year: BusinessYear,
    review_types: Mapping[str, ReviewType],
    partnership: Partnership | None = None,
    public: bool = False,
    today: date | None = None,
) -> YearlyReport:
    counts = Counts(public)
    today = today or london_today()
    scope: list[ColumnElement[bool]] = (
        [Review.counted_clause()]
        if partnership is None
        else [Review.counted_clause(), Review.partnership_id == partnership.id]
    )
    between = f"Between {year.long_label.replace(' to ', ' and ')}"

    started = list(
        db.session.scalars(
            select(Review)
            .where(Review.started_on >= year.start, Review.started_on <= year.end, *scope)
            .options(selectinload(Review.decisions))
            .order_by(Review.review_type, Review.started_on)
        )
    )
    carried = list(
        db.session.scalars(
            select(Review)
            .where(
                Review.started_on < year.start,
                or_(Review.completed_on.is_(None), Review.completed_on >= year.start),
                *scope,
            )
            .order_by(Review.started_on)
        )
    )
    published = list(
        db.session.scalars(
            select(Review)
            .where(Review.published_on >= year.start, Review.published_on <= year.end, *scope)
            .order_by(Review.published_on)
        )
    )

    sections = [
        _undertaken(started, review_types, counts, between),
        _carried_over(carried, review_types, counts, year),
        _published(published, review_types, counts),
        _themes(year, scope, counts),
        _recurred(year, partnership, counts),
        *_actions(year, scope, counts, today),
        _dissemination(year, partnership, counts, today),
    ]
    title = f"Yearly report {year.label}"
    return YearlyReport(
        title=title,
        year=year,
        partnership=partnership.name if partnership else "All partnerships",
        public=public,
        sections=sections,
    )


def _undertaken(
    started: list[Review],
    review_types: Mapping[str, ReviewType],
    counts: Counts,
    between: str,
) -> Section:
    by_type = Counter(review.review_type for review in started)
    if not by_type:
        return Section("Reviews undertaken", [f"{between} the partnership started no reviews."])
    phrases = []
    for key, count in sorted(by_type.items(), key=lambda item: (-item[1], item[0])):
        singular, plural = _plural_name(review_types.get(key), key)
        phrases.append(counts.of(count, singular, plural))
    sentence = f"{between} the partnership undertook {_join(phrases)}"
    decided = _decision_phrases(
        [review for review in started if review.review_type == "rapid_review"],
        review_types,
        counts,
    )
    paragraphs = [f"{sentence}; {decided}." if decided else f"{sentence}."]
    table = None
    if not counts.public:
        table = ReportTable(
            ["Reference", "Type", "Started", "Stage now"],
            [
                (
                    review.reference,
                    _plural_name(review_types.get(review.review_type), review.review_type)[0],
                    review.started_on.strftime("%-d %B %Y"),
                    _stage(review, review_types),
                )
                for review in started
            ],
        )
    return Section("Reviews undertaken", paragraphs, table)


def _article(word: str) -> str:
    """'an' before a vowel sound: an LCSPR, an SAR, a rapid review."""
    letter_sounds_vowel = word[:1].isupper() and word[:1] in "AEFHILMNORSX"
    return "an" if word[:1].lower() in "aeiou" or letter_sounds_vowel else "a"


def _decision_phrases(
    rapid_reviews: list[Review], review_types: Mapping[str, ReviewType], counts: Counts
) -> str:
    """What the year's rapid reviews led to: "in both, an LCSPR was commissioned"."""
    total = len(rapid_reviews)
    if not total:
        return ""
    outcomes: Counter[str] = Counter()
    for review in rapid_reviews:
        latest = max(review.decisions, key=lambda decision: decision.decided_on, default=None)
        outcomes[latest.outcome if latest else ""] += 1
    options = (
        {option.key: option for option in review_types["rapid_review"].outcomes}
        if ("rapid_review" in review_types)
        else {}
    )
    parts = []
    for outcome, count in sorted(outcomes.items(), key=lambda item: (-item[1], item[0])):
        if not outcome:
            verb = "is" if counts.were(count) == "was" else "are"
            parts.append(f"{counts.number(count)} {verb} awaiting a decision")
            continue
        option = options.get(outcome)
        if option and option.commissions:
            name, _plural = _plural_name(review_types.get(option.commissions), option.commissions)
            phrase = f"{_article(name)} {name} was commissioned"
        else:
            label = option.label if option else outcome
            phrase = f"the decision was: {label[:1].lower() + label[1:]}"
        if counts.public and count < SMALL_NUMBER:
            where = "in fewer than 5 of them"
        elif count == total:
            where = {1: "in it", 2: "in both"}.get(total, f"in all {counts.number(total)}")
        else:
            where = f"in {counts.number(count)} of them"
        parts.append(f"{where}, {phrase}")
    return "; ".join(parts)


def _stage(review: Review, review_types: Mapping[str, ReviewType]) -> str:
    review_type = review_types.get(review.review_type)
    return review_type.stage_label(review.stage) if review_type else review.stage


def _carried_over(
    carried: list[Review],
    review_types: Mapping[str, ReviewType],
    counts: Counts,
    year: BusinessYear,
) -> Section:
    if not carried:
        return Section("Reviews carried over", [f"No reviews were carried over into {year.label}."])
    by_stage = Counter(_stage(review, review_types).lower() for review in carried)
    stages = _join(
        [
            f"{counts.number(count)} at the {stage} stage"
            for stage, count in sorted(by_stage.items())
        ]
    )
    paragraphs = [
        f"{_first_upper(counts.of(len(carried), 'review', 'reviews'))} started before "
        f"1 April {year.start_year} continued into the year: {stages}."
    ]
    table = None
    if not counts.public:
        table = ReportTable(
            ["Reference", "Started", "Stage now"],
            [
                (
                    review.reference,
                    review.started_on.strftime("%-d %B %Y"),
                    _stage(review, review_types),
                )
                for review in carried
            ],
        )
    return Section("Reviews carried over", paragraphs, table)


def _published(
    published: list[Review], review_types: Mapping[str, ReviewType], counts: Counts
) -> Section:
    if not published:
        return Section("Reviews published", ["No review reports were published in the year."])
    paragraphs = [
        _first_upper(
            f"{counts.of(len(published), 'review report', 'review reports')} "
            f"{counts.were(len(published))} published."
        )
    ]
    table = None
    if not counts.public:
        table = ReportTable(
            ["Reference", "Type", "Published"],
            [
                (
                    review.reference,
                    _plural_name(review_types.get(review.review_type), review.review_type)[0],
                    review.published_on.strftime("%-d %B %Y") if review.published_on else "",
                )
                for review in published
            ],
        )
    return Section("Reviews published", paragraphs, table)


def _themes(year: BusinessYear, scope: list[ColumnElement[bool]], counts: Counts) -> Section:
    active = and_(
        Review.started_on <= year.end,
        or_(Review.completed_on.is_(None), Review.completed_on >= year.start),
        *scope,
    )
    rows = db.session.execute(
        select(
            Theme.name, func.count(func.distinct(Finding.id)), func.count(func.distinct(Review.id))
        )
        .join(finding_theme, finding_theme.c.theme_id == Theme.id)
        .join(Finding, Finding.id == finding_theme.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(active)
        .group_by(Theme.name)
        .order_by(func.count(func.distinct(Finding.id)).desc(), Theme.name)
    ).all()
    if not rows:
        return Section(
            "What we learned", ["No findings were recorded for the reviews of the year."]
        )
    top = [name.lower() for name, _findings, _reviews in rows[:3]]
    paragraphs = [
        f"The learning that recurred most across the year's reviews was about {_join(top)}."
    ]
    table = ReportTable(
        ["Theme", "Findings", "Reviews"],
        [(name, counts.cell(findings), counts.cell(reviews)) for name, findings, reviews in rows],
    )
    return Section("What we learned", paragraphs, table)


def _recurred(year: BusinessYear, partnership: Partnership | None, counts: Counts) -> Section:
    recurred = learning_that_recurred(
        year, partnership.id if partnership else None, counts.public, counts.number, _join
    )
    table = ReportTable(recurred.headers, recurred.rows) if recurred.rows else None
    return Section(RECURRED, recurred.paragraphs, table)


def _actions(
    year: BusinessYear, scope: list[ColumnElement[bool]], counts: Counts, today: date
) -> list[Section]:
    in_scope = []
    if scope:
        in_scope.append(
            Action.id.in_(
                select(action_finding.c.action_id)
                .join(Finding, Finding.id == action_finding.c.finding_id)
                .join(Review, Review.id == Finding.review_id)
                .where(*scope)
            )
        )
    status_rows = dict(
        db.session.execute(
            select(Action.status, func.count()).where(*in_scope).group_by(Action.status)
        ).all()
    )
    impact_evidenced = (
        db.session.scalar(
            select(func.count())
            .select_from(Action)
            .where(Action.impact_status == ImpactStatus.EVIDENCED, *in_scope)
        )
        or 0
    )
    overdue = (
        db.session.scalar(
            select(func.count())
            .select_from(Action)
            .where(
                Action.status.in_([s for s in ActionStatus if s.is_open]),
                Action.due_date < min(year.end, today),
                *in_scope,
            )
        )
        or 0
    )
    total = sum(status_rows.values())
    assured = status_rows.get(ActionStatus.ASSURED, 0)
    completed = status_rows.get(ActionStatus.COMPLETED, 0)
    plan = Section(
        "Action plans and evidence of impact",
        [
            f"Action plans held {counts.of(total, 'action', 'actions')}. "
            f"{_first_upper(counts.number(completed + assured))} "
            f"{counts.were(completed + assured)} completed with evidence, "
            f"of which {counts.number(assured)} {counts.were(assured)} assured by the partnership; "
            f"{counts.of(overdue, 'open action', 'open actions')} {counts.were(overdue)} "
            "past the due date. "
            f"Evidence that the change made a difference was recorded for "
            f"{counts.of(impact_evidenced, 'action', 'actions')}.",
        ],
        ReportTable(
            ["Status", "Actions"],
            [(status.label, counts.cell(status_rows.get(status, 0))) for status in ActionStatus],
        ),
    )
    not_implemented = list(
        db.session.scalars(
            select(Action)
            .where(Action.status == ActionStatus.CLOSED_NOT_IMPLEMENTED, *in_scope)
            .options(selectinload(Action.updates))
            .order_by(Action.reference)
        )
    )
    if not not_implemented:
        closed = Section(
            "Findings not implemented",
            [
                "Every action was implemented or is still in progress; "
                "none was closed without being implemented."
            ],
        )
    else:
        closed = Section(
            "Findings not implemented",
            [
                f"{_first_upper(counts.of(len(not_implemented), 'action', 'actions'))} "
                f"{counts.were(len(not_implemented))} closed without being implemented. "
                "The reasons recorded are below."
            ],
            ReportTable(
                ["Action", "Reason"] if counts.public else ["Ref", "Action", "Reason"],
                [
                    (
                        *(() if counts.public else (action.reference,)),
                        action.action_text,
                        action.updates[-1].note if action.updates else "No reason recorded",
                    )
                    for action in not_implemented
                ],
            ),
        )
    return [plan, closed]


def _dissemination(
    year: BusinessYear, partnership: Partnership | None, counts: Counts, today: date
) -> Section:
    reach = dissemination(
        Filters(year=year, partnership_id=partnership.id if partnership else None, today=today)
    )
    if not reach.briefings_published and not reach.reads and not reach.team_uses:
        return Section("Dissemination", ["No briefings were published or used in the year."])
    paragraphs = [
        f"{_first_upper(counts.of(reach.briefings_published, 'briefing', 'briefings'))} "
        f"{counts.were(reach.briefings_published)} published. Practitioners confirmed reading "
        f"briefings {counts.of(reach.reads, 'time', 'times')}, and team leaders recorded "
        f"{counts.of(reach.team_uses, 'team use', 'team uses')} reaching "
        f"{counts.of(reach.staff_reached, 'member of staff', 'members of staff')}."
    ]
    table = ReportTable(
        ["Agency", "Reads confirmed", "Team uses", "Staff reached"],
        [
            (
                row.agency,
                counts.cell(row.reads),
                counts.cell(row.team_uses),
                counts.cell(row.staff_reached),
            )
            for row in reach.by_agency
        ],
    )
    return Section("Dissemination", paragraphs, table)
