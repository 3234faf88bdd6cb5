"""The yearly report pack: what the partnership reviewed, learned and changed in a business
year, written as plain sentences from the data.

A *public* version suppresses any count below 5 ("fewer than 5") and leaves out review
references, subject pseudonyms and anything else that could identify a subject.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    Finding,
    FindingKind,
    ImpactStatus,
    Partnership,
    Review,
    Theme,
)
from sgreviews.models.action import action_finding
from sgreviews.models.finding import LEARNING_KINDS, finding_theme
from sgreviews.review_types import ReviewType
from sgreviews.services.dashboard.dissemination import dissemination
from sgreviews.services.dashboard.filters import Filters
from sgreviews.services.history.actions_as_at import ActionAsAt, actions_of_period
from sgreviews.services.history.event_dates import (
    decision_made_on,
    review_completed_on,
    review_open_after_sql,
    review_published_on,
)
from sgreviews.services.history.reviews_as_at import open_on, stage_on
from sgreviews.services.periods import BusinessYear, Period
from sgreviews.services.reports import narrative
from sgreviews.services.reports.care_act import statutory_not_implemented
from sgreviews.services.reports.decisions import decision_types, decisions_on_reviews
from sgreviews.services.reports.family import family_feedback
from sgreviews.services.reports.parts import Part, Words, first_upper
from sgreviews.services.reports.recurred import TITLE as RECURRED
from sgreviews.services.reports.recurred import learning_that_recurred
from sgreviews.services.reports.stalled import little_or_no_progress
from sgreviews.services.reports.tabled import TITLE as TABLED
from sgreviews.services.reports.tabled import national_reviews_tabled
from sgreviews.services.reports.timeliness import timeliness_against_each_clock

SMALL_NUMBER = 5
# Working Together 2023's words for what was "Dissemination".
SHARED = "How learning was shared and its reach"
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass(frozen=True)
class ReportTable:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


def section_key(title: str) -> str:
    """A section's stable key, from its title ("What we learned" -> "what-we-learned"):
    what its commentary is stored under."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "section"


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: ReportTable | None = None
    # The writer's commentary under the figures (Markdown), from the stored narrative.
    commentary: str = ""
    # Defaults to a slug of the title, so a new section needs nothing more to get one.
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", section_key(self.title))


@dataclass(frozen=True)
class YearlyReport:
    title: str
    year: BusinessYear
    partnership: str
    public: bool
    sections: list[Section]
    # The chair's foreword (Markdown), from the stored narrative.
    foreword: str = ""


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

    # Every figure is as at the end of the year (or today, within the current year), read
    # from the recorded history, so re-opening a past year later gives the same numbers.
    as_at = min(year.end, today)
    started = list(
        db.session.scalars(
            select(Review)
            .where(Review.started_on >= year.start, Review.started_on <= year.end, *scope)
            .options(selectinload(Review.decisions), selectinload(Review.transitions))
            .order_by(Review.review_type, Review.started_on)
        )
    )
    eve = year.start - timedelta(days=1)
    carried = [
        review
        for review in db.session.scalars(
            select(Review)
            .where(Review.started_on < year.start, review_open_after_sql(year.start), *scope)
            .options(selectinload(Review.transitions))
            .order_by(Review.started_on, Review.id)
        )
        if open_on(review, eve, review_types.get(review.review_type))
    ]
    finished = list(
        db.session.scalars(
            select(Review)
            .where(
                or_(
                    and_(Review.completed_on >= year.start, Review.completed_on <= as_at),
                    and_(Review.published_on >= year.start, Review.published_on <= as_at),
                ),
                *scope,
            )
            .order_by(Review.id)
        )
    )
    period = Period(year.start, as_at, year.label)
    completed = sorted(
        (review for review in finished if period.contains(review_completed_on(review))),
        key=lambda review: (review_completed_on(review) or year.start, review.reference),
    )
    published = sorted(
        (review for review in finished if period.contains(review_published_on(review))),
        key=lambda review: (review_published_on(review) or year.start, review.reference),
    )

    # The statutory sections (Working Together 2023, the Care Act 2014) are written by
    # their own modules, from the same as-at reading of the history.
    words = Words(counts, lambda key: _plural_name(review_types.get(key), key), _join, _long)
    states = _action_states(year, as_at, scope)
    plan, not_implemented = _actions(states, as_at, counts)
    care_act = statutory_not_implemented(states, review_types, partnership, words)
    sections = [
        _undertaken(started, review_types, counts, between, as_at),
        _section(decisions_on_reviews(year.start, as_at, scope, review_types, words, between)),
        _carried_over(carried, review_types, counts, year),
        _completed(completed, review_types, counts),
        _published(published, review_types, counts),
        _section(
            timeliness_against_each_clock(
                year, partnership.id if partnership else None, today, words
            )
        ),
        _themes(year, as_at, scope, counts),
        _good_practice(year, as_at, scope, counts),
        _recurred(year, as_at, partnership, counts),
        Section(TABLED, *national_reviews_tabled(year, partnership, counts, today, ReportTable)),
        plan,
        _section(little_or_no_progress(states, year.start, as_at, words, _action_scope(scope))),
        not_implemented,
        *([_section(care_act)] if care_act else []),
        _dissemination(year, partnership, counts, today),
        _section(
            family_feedback(year.start, as_at, _reviews_of_year(year, as_at, scope), words, between)
        ),
    ]
    title = f"Yearly report {year.label}"
    # The writer's words, all in one query; the public version carries them too (they are
    # written for publication).
    written = narrative.texts(narrative.scope_of(partnership), year.start_year)
    return YearlyReport(
        title=title,
        year=year,
        partnership=partnership.name if partnership else "All partnerships",
        public=public,
        sections=[replace(s, commentary=written.get(s.key, "")) for s in sections],
        foreword=written.get(narrative.FOREWORD, ""),
    )


def _undertaken(
    started: list[Review],
    review_types: Mapping[str, ReviewType],
    counts: Counts,
    between: str,
    as_at: date,
) -> Section:
    by_type = Counter(review.review_type for review in started)
    if not by_type:
        return Section("Reviews undertaken", [f"{between} the partnership started no reviews."])
    phrases = []
    for key, count in sorted(by_type.items(), key=lambda item: (-item[1], item[0])):
        singular, plural = _plural_name(review_types.get(key), key)
        phrases.append(counts.of(count, singular, plural))
    sentence = f"{between} the partnership undertook {_join(phrases)}"
    # What the year's reviews that decide whether to hold a review (``outcome_is_decision``:
    # rapid reviews, SARs, DHRs) led to; per type when the year had more than one such type.
    deciding = [key for key in decision_types(review_types) if key in by_type]
    decided = "; ".join(
        phrase
        for key in sorted(deciding, key=lambda key: (-by_type[key], key))
        if (
            phrase := _decision_phrases(
                [review for review in started if review.review_type == key],
                review_types,
                counts,
                as_at,
                key if len(deciding) > 1 else None,
            )
        )
    )
    paragraphs = [f"{sentence}; {decided}." if decided else f"{sentence}."]
    table = None
    if not counts.public:
        table = ReportTable(
            ["Reference", "Type", "Started", f"Stage on {_long(as_at)}"],
            [
                (
                    review.reference,
                    _plural_name(review_types.get(review.review_type), review.review_type)[0],
                    _long(review.started_on),
                    _stage(review, review_types, as_at),
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
    deciding: list[Review],
    review_types: Mapping[str, ReviewType],
    counts: Counts,
    as_at: date,
    named: str | None = None,
) -> str:
    """What the year's reviews of one deciding type led to by ``as_at``: "in both, an
    LCSPR was commissioned" (a decision made later is not yet known then); with ``named``
    (the type's key, when the year had several deciding types), "in both rapid reviews"."""
    total = len(deciding)
    if not total:
        return ""
    outcomes: Counter[str] = Counter()
    for review in deciding:
        made = [decision for decision in review.decisions if decision_made_on(decision) <= as_at]
        latest = max(
            made, key=lambda decision: (decision_made_on(decision), decision.id), default=None
        )
        outcomes[latest.outcome if latest else ""] += 1
    review_type = review_types.get(deciding[0].review_type)
    options = {option.key: option for option in review_type.outcomes} if review_type else {}
    singular, plural = _plural_name(review_type, deciding[0].review_type)
    parts = []
    for outcome, count in sorted(outcomes.items(), key=lambda item: (-item[1], item[0])):
        if not outcome:
            verb = "is" if counts.were(count) == "was" else "are"
            of_type = "" if named is None else f" {singular if verb == 'is' else plural}"
            parts.append(f"{counts.number(count)}{of_type} {verb} awaiting a decision")
            continue
        option = options.get(outcome)
        if option and option.commissions:
            name, _plural = _plural_name(review_types.get(option.commissions), option.commissions)
            phrase = f"{_article(name)} {name} was commissioned"
        else:
            label = option.label if option else outcome
            phrase = f"the decision was: {label[:1].lower() + label[1:]}"
        if named is None:
            if counts.public and count < SMALL_NUMBER:
                where = "in fewer than 5 of them"
            elif count == total:
                where = {1: "in it", 2: "in both"}.get(total, f"in all {counts.number(total)}")
            else:
                where = f"in {counts.number(count)} of them"
        elif counts.public and count < SMALL_NUMBER:
            where = f"in fewer than 5 of the {plural}"
        elif count == total:
            where = {1: f"in the {singular}", 2: f"in both {plural}"}.get(
                total, f"in all {counts.number(total)} {plural}"
            )
        else:
            where = f"in {counts.number(count)} of the {plural}"
        parts.append(f"{where}, {phrase}")
    return "; ".join(parts)


def _some(counts: Counts, count: int) -> str:
    """A count in a list of counts: "none" rather than "no" when there is nothing."""
    return "none" if count == 0 else counts.number(count)


def _long(day: date) -> str:
    return day.strftime("%-d %B %Y")


def _stage(review: Review, review_types: Mapping[str, ReviewType], day: date) -> str:
    """The review's stage on ``day`` (from its stage history), as the type names it."""
    stage = stage_on(review, day)
    review_type = review_types.get(review.review_type)
    return review_type.stage_label(stage) if review_type else stage


def _carried_over(
    carried: list[Review],
    review_types: Mapping[str, ReviewType],
    counts: Counts,
    year: BusinessYear,
) -> Section:
    if not carried:
        return Section("Reviews carried over", [f"No reviews were carried over into {year.label}."])
    eve = year.start - timedelta(days=1)
    by_stage = Counter(_stage(review, review_types, eve).lower() for review in carried)
    stages = _join(
        [
            f"{counts.number(count)} at the {stage} stage"
            for stage, count in sorted(by_stage.items())
        ]
    )
    paragraphs = [
        f"{first_upper(counts.of(len(carried), 'review', 'reviews'))} started before "
        f"1 April {year.start_year} continued into the year: {stages}."
    ]
    table = None
    if not counts.public:
        table = ReportTable(
            ["Reference", "Started", f"Stage on {_long(eve)}"],
            [
                (
                    review.reference,
                    _long(review.started_on),
                    _stage(review, review_types, eve),
                )
                for review in carried
            ],
        )
    return Section("Reviews carried over", paragraphs, table)


def _completed(
    completed: list[Review], review_types: Mapping[str, ReviewType], counts: Counts
) -> Section:
    """Reviews completed in the year: by their completion date or their publication,
    never by reaching a stage."""
    if not completed:
        return Section("Reviews completed", ["No reviews were completed in the year."])
    paragraphs = [
        first_upper(
            f"{counts.of(len(completed), 'review', 'reviews')} "
            f"{counts.were(len(completed))} completed."
        )
    ]
    table = None
    if not counts.public:
        table = ReportTable(
            ["Reference", "Type", "Completed"],
            [
                (
                    review.reference,
                    _plural_name(review_types.get(review.review_type), review.review_type)[0],
                    _long(day) if (day := review_completed_on(review)) else "",
                )
                for review in completed
            ],
        )
    return Section("Reviews completed", paragraphs, table)


def _published(
    published: list[Review], review_types: Mapping[str, ReviewType], counts: Counts
) -> Section:
    if not published:
        return Section("Reviews published", ["No review reports were published in the year."])
    paragraphs = [
        first_upper(
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


def _reviews_of_year(
    year: BusinessYear, as_at: date, scope: list[ColumnElement[bool]]
) -> ColumnElement[bool]:
    """Reviews active at some point in the year: started by its end (or today) and not
    completed before it began."""
    return and_(Review.started_on <= as_at, review_open_after_sql(year.start), *scope)


def _theme_rows(
    year: BusinessYear, as_at: date, scope: list[ColumnElement[bool]], kinds: Sequence[FindingKind]
) -> list[tuple[str, int, int]]:
    """(theme, findings, reviews) for the findings of ``kinds`` in the year's reviews."""
    rows = db.session.execute(
        select(
            Theme.name, func.count(func.distinct(Finding.id)), func.count(func.distinct(Review.id))
        )
        .join(finding_theme, finding_theme.c.theme_id == Theme.id)
        .join(Finding, Finding.id == finding_theme.c.finding_id)
        .join(Review, Review.id == Finding.review_id)
        .where(_reviews_of_year(year, as_at, scope), Finding.kind.in_(kinds))
        .group_by(Theme.name)
        .order_by(func.count(func.distinct(Finding.id)).desc(), Theme.name)
    ).all()
    return [(name, int(findings), int(reviews)) for name, findings, reviews in rows]


def _themes(
    year: BusinessYear, as_at: date, scope: list[ColumnElement[bool]], counts: Counts
) -> Section:
    rows = _theme_rows(year, as_at, scope, LEARNING_KINDS)
    if not rows:
        return Section(
            "What we learned",
            ["No learning points or recommendations were recorded for the reviews of the year."],
        )
    top = [name.lower() for name, _findings, _reviews in rows[:3]]
    paragraphs = [f"The learning of the year's reviews was most often about {_join(top)}."]
    table = ReportTable(
        ["Theme", "Learning points and recommendations", "Reviews"],
        [(name, counts.cell(findings), counts.cell(reviews)) for name, findings, reviews in rows],
    )
    return Section("What we learned", paragraphs, table)


def _good_practice(
    year: BusinessYear, as_at: date, scope: list[ColumnElement[bool]], counts: Counts
) -> Section:
    """Strengths: good practice to repeat, reported as such and never as learning."""
    strengths = (
        db.session.scalar(
            select(func.count(Finding.id))
            .join(Review, Review.id == Finding.review_id)
            .where(_reviews_of_year(year, as_at, scope), Finding.kind == FindingKind.STRENGTH)
        )
        or 0
    )
    if not strengths:
        return Section("Good practice", ["No strengths were recorded in the reviews of the year."])
    rows = _theme_rows(year, as_at, scope, (FindingKind.STRENGTH,))
    paragraphs = [
        f"The year's reviews recorded "
        f"{counts.of(strengths, 'strength', 'strengths')} (good practice to repeat)"
        + (
            f", most often about {_join([name.lower() for name, _f, _r in rows[:3]])}."
            if rows
            else "."
        )
    ]
    table = (
        ReportTable(
            ["Theme", "Strengths", "Reviews"],
            [(name, counts.cell(found), counts.cell(reviews)) for name, found, reviews in rows],
        )
        if rows
        else None
    )
    return Section("Good practice", paragraphs, table)


def _recurred(
    year: BusinessYear, as_at: date, partnership: Partnership | None, counts: Counts
) -> Section:
    recurred = learning_that_recurred(
        year, partnership.id if partnership else None, counts.public, counts.number, _join, as_at
    )
    table = ReportTable(recurred.headers, recurred.rows) if recurred.rows else None
    return Section(RECURRED, recurred.paragraphs, table)


def _action_scope(scope: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """The actions answering findings of the report's reviews."""
    return [
        Action.id.in_(
            select(action_finding.c.action_id)
            .join(Finding, Finding.id == action_finding.c.finding_id)
            .join(Review, Review.id == Finding.review_id)
            .where(*scope)
        )
    ]


def _actions(states: list[ActionAsAt], as_at: date, counts: Counts) -> list[Section]:
    """The actions of the year (``_action_states``), as at its end: added, due, completed,
    assured or closed within it, or open at its end (``history.actions_as_at``)."""
    on = _long(as_at)

    def tally(test: Callable[[ActionAsAt], bool]) -> int:
        return sum(1 for state in states if test(state))

    added = tally(lambda state: state.created_in_period)
    fell_due = tally(lambda state: state.due_in_period)
    completed = tally(lambda state: state.completed_in_period)
    assured = tally(lambda state: state.assured_in_period)
    still_open = tally(lambda state: state.open)
    overdue = tally(lambda state: state.overdue(as_at))
    evidenced = tally(lambda state: state.impact is ImpactStatus.EVIDENCED)
    by_status = Counter(state.status for state in states)
    plan = Section(
        "Action plans and evidence of impact",
        [
            f"{first_upper(counts.of(len(states), 'action', 'actions'))} of the partnership's "
            f"action plans {counts.were(len(states))} "
            f"live in the year: {_some(counts, added)} added, {_some(counts, fell_due)} "
            f"falling due, {_some(counts, completed)} completed with evidence and "
            f"{_some(counts, assured)} assured by the partnership. "
            f"On {on}, {counts.of(still_open, 'action was', 'actions were')} open, "
            f"of which {_some(counts, overdue)} {counts.were(overdue)} past the due date. "
            f"Evidence that the change made a difference was recorded for "
            f"{counts.of(evidenced, 'action', 'actions')}.",
        ],
        ReportTable(
            ["Status", f"Actions on {on}"],
            [(status.label, counts.cell(by_status.get(status, 0))) for status in ActionStatus],
        ),
    )
    not_implemented = [state for state in states if state.closed_in_period]
    if not not_implemented:
        closed = Section(
            "Findings not implemented",
            ["No action was closed without being implemented in the year."],
        )
    else:
        closed = Section(
            "Findings not implemented",
            [
                f"{first_upper(counts.of(len(not_implemented), 'action', 'actions'))} "
                f"{counts.were(len(not_implemented))} closed without being implemented "
                "in the year. The reasons recorded are below."
            ],
            ReportTable(
                ["Action", "Reason"] if counts.public else ["Ref", "Action", "Reason"],
                [
                    (
                        *(() if counts.public else (state.action.reference,)),
                        state.action.action_text,
                        state.closing_note or "No reason recorded",
                    )
                    for state in not_implemented
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
        return Section(SHARED, ["No briefings were published or used in the year."])
    paragraphs = [
        f"{first_upper(counts.of(reach.briefings_published, 'briefing', 'briefings'))} "
        f"{counts.were(reach.briefings_published)} published. Practitioners confirmed reading "
        f"briefings {counts.of(reach.reads, 'time', 'times')}, and team leaders recorded "
        f"{counts.of(reach.team_uses, 'team use', 'team uses')} reaching "
        f"{counts.of(reach.staff_reached, 'member of staff', 'members of staff')}.",
        f"The learning reached {counts.of(len(reach.by_agency), 'agency', 'agencies')} "
        "through reads or team uses.",
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
    return Section(SHARED, paragraphs, table)


def _section(part: Part) -> Section:
    """A statutory section written by its own module."""
    table = ReportTable(part.headers, part.rows) if part.rows else None
    return Section(part.title, part.paragraphs, table)


def _action_states(
    year: BusinessYear, as_at: date, scope: list[ColumnElement[bool]]
) -> list[ActionAsAt]:
    """The actions of the year as at ``as_at``: read once, for the action plan section
    (``_actions``) and the statutory sections."""
    return actions_of_period(_action_scope(scope), Period(year.start, year.end, year.label), as_at)
