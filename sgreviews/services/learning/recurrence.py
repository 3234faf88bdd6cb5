"""Learning that recurs, for the dashboard and the yearly report: themes found in several
reviews across business years, and the links people confirmed between a finding and an
earlier one, each with the share of the earlier actions that reached evidence of impact.

Every figure is a fixed number of grouped queries, whatever the number of findings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import aliased, selectinload

from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    Finding,
    FindingLink,
    ImpactStatus,
    LinkDecision,
    Review,
    Theme,
)
from sgreviews.models.action import action_finding
from sgreviews.models.finding import LEARNING_KINDS, finding_theme
from sgreviews.models.tally import ThemeYearTally
from sgreviews.services.history.actions_as_at import impact_on
from sgreviews.services.history.event_dates import action_created_by_sql, review_open_after_sql
from sgreviews.services.periods import BusinessYear


def share(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage; None when there is no whole."""
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class RecurringTheme:
    theme: str
    findings: int
    years: int
    first_year: str
    last_year: str
    # None when not counted (every partnership at once: see ``recurring_themes``).
    earlier_actions: int | None
    earlier_evidenced: int | None

    @property
    def evidenced_share(self) -> int | None:
        if self.earlier_actions is None or self.earlier_evidenced is None:
            return None
        return share(self.earlier_evidenced, self.earlier_actions)


def recurring_themes(year: BusinessYear, partnership_id: int | None) -> list[RecurringTheme]:
    """Themes tagged on findings of reviews started in at least two business years up to
    ``year`` (so in at least two reviews), most years first. Read from the running tally
    of findings per theme, partnership and business year, so the national view costs what
    one partnership's does.

    For one partnership, the theme's *earlier* actions (answering its findings in reviews
    started before ``year``) and how many reached evidence of impact, in one more query.
    Across every partnership that count would read every action in the country, beyond the
    dashboard's time, so it is left out (None) there."""
    clauses: list[ColumnElement[bool]] = [
        ThemeYearTally.business_year <= year.start_year,
        ThemeYearTally.findings > 0,
    ]
    if partnership_id is not None:
        clauses.append(ThemeYearTally.partnership_id == partnership_id)
    # Grouped by theme and year (a few hundred rows at most), folded per theme here: the
    # same read as the themes-by-year heat map, without a COUNT(DISTINCT) over the tally.
    by_theme: dict[str, dict[int, int]] = defaultdict(dict)
    for name, business_year, findings in db.session.execute(
        select(Theme.name, ThemeYearTally.business_year, func.sum(ThemeYearTally.findings))
        .join(Theme, Theme.id == ThemeYearTally.theme_id)
        .where(*clauses)
        .group_by(Theme.name, ThemeYearTally.business_year)
    ).all():
        by_theme[name][int(business_year)] = int(findings)
    rows = [
        (name, sum(years.values()), len(years), min(years), max(years))
        for name, years in by_theme.items()
        if len(years) >= 2
    ]
    earlier: dict[str, tuple[int, int]] | None = None
    if partnership_id is not None:
        evidenced = case((Action.impact_status == ImpactStatus.EVIDENCED, Action.id), else_=None)
        earlier = {
            name: (int(actions), int(with_evidence))
            for name, actions, with_evidence in db.session.execute(
                select(
                    Theme.name,
                    func.count(func.distinct(Action.id)),
                    func.count(func.distinct(evidenced)),
                )
                .join(finding_theme, finding_theme.c.theme_id == Theme.id)
                .join(Finding, Finding.id == finding_theme.c.finding_id)
                .join(Review, Review.id == Finding.review_id)
                .join(action_finding, action_finding.c.finding_id == Finding.id)
                .join(Action, Action.id == action_finding.c.action_id)
                .where(Review.started_on < year.start, Review.partnership_id == partnership_id)
                .group_by(Theme.name)
            ).all()
        }
    result = [
        RecurringTheme(
            theme=name,
            findings=int(findings),
            years=int(years),
            first_year=BusinessYear(int(first)).label,
            last_year=BusinessYear(int(last)).label,
            earlier_actions=None if earlier is None else earlier.get(name, (0, 0))[0],
            earlier_evidenced=None if earlier is None else earlier.get(name, (0, 0))[1],
        )
        for name, findings, years, first, last in rows
    ]
    return sorted(result, key=lambda row: (-row.years, -row.findings, row.theme))


@dataclass(frozen=True)
class RecurringLink:
    finding: str
    year: str
    earlier: str
    earlier_year: str
    themes: list[str]
    earlier_actions: int
    earlier_evidenced: int
    actions_now: list[str]  # what is being done differently: this finding's actions

    @property
    def evidenced_share(self) -> int | None:
        return share(self.earlier_evidenced, self.earlier_actions)


def confirmed_links(
    year: BusinessYear,
    partnership_id: int | None,
    limit: int | None = None,
    only_year: bool = False,
    as_at: date | None = None,
) -> list[RecurringLink]:
    """Confirmed links whose later finding belongs to a review started by the end of
    ``year`` (and still active in ``year`` when ``only_year``), latest first; five
    queries.

    With ``as_at`` the actions on both sides are read as they stood at the end of that
    day (issue 18): only actions added by then, and the earlier actions' impact from their
    impact history (``history.actions_as_at.impact_on``), so a past year's figures do not
    move when an old action reaches impact evidence later. A link itself is a judgement
    about two findings rather than a dated event, so a link confirmed later still counts."""
    later_finding, later_review = aliased(Finding), aliased(Review)
    earlier_finding, earlier_review = aliased(Finding), aliased(Review)
    clauses: list[ColumnElement[bool]] = [
        FindingLink.decision == LinkDecision.CONFIRMED,
        later_review.started_on <= year.end,
        # Recurring learning: learning points and recommendations, never strengths.
        later_finding.kind.in_(LEARNING_KINDS),
        earlier_finding.kind.in_(LEARNING_KINDS),
    ]
    if only_year:
        # The year's reviews as the yearly report's "What we learned" reads them: active
        # at some point in the year.
        clauses.append(review_open_after_sql(year.start, later_review))
    if partnership_id is not None:
        clauses.append(later_review.partnership_id == partnership_id)
    statement = (
        select(
            later_finding.id,
            later_review.reference,
            later_finding.position,
            later_review.started_on,
            earlier_finding.id,
            earlier_review.reference,
            earlier_finding.position,
            earlier_review.started_on,
        )
        .select_from(FindingLink)
        .join(later_finding, later_finding.id == FindingLink.finding_id)
        .join(later_review, later_review.id == later_finding.review_id)
        .join(earlier_finding, earlier_finding.id == FindingLink.earlier_finding_id)
        .join(earlier_review, earlier_review.id == earlier_finding.review_id)
        .where(*clauses)
        .order_by(later_review.started_on.desc(), FindingLink.id.desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = db.session.execute(statement).all()
    if not rows:
        return []
    later_ids = {row[0] for row in rows}
    earlier_ids = {row[4] for row in rows}
    fates = _earlier_fates(earlier_ids, as_at)
    added_by = [] if as_at is None else [action_created_by_sql(as_at)]
    now: dict[int, list[str]] = defaultdict(list)
    for finding_id, reference, text in db.session.execute(
        select(action_finding.c.finding_id, Action.reference, Action.action_text)
        .join(Action, Action.id == action_finding.c.action_id)
        .where(action_finding.c.finding_id.in_(later_ids), *added_by)
        .order_by(Action.reference)
    ).all():
        now[finding_id].append(f"{reference}: {text}")
    themes: dict[int, list[str]] = defaultdict(list)
    for finding_id, name in db.session.execute(
        select(finding_theme.c.finding_id, Theme.name)
        .join(Theme, Theme.id == finding_theme.c.theme_id)
        .where(and_(finding_theme.c.finding_id.in_(earlier_ids)))
        .order_by(Theme.name)
    ).all():
        themes[finding_id].append(name)
    return [
        RecurringLink(
            finding=f"{reference} finding {position}",
            year=BusinessYear.containing(started).label,
            earlier=f"{earlier_reference} finding {earlier_position}",
            earlier_year=BusinessYear.containing(earlier_started).label,
            themes=themes[earlier_id],
            earlier_actions=fates.get(earlier_id, (0, 0))[0],
            earlier_evidenced=fates.get(earlier_id, (0, 0))[1],
            actions_now=now[later_id],
        )
        for (
            later_id,
            reference,
            position,
            started,
            earlier_id,
            earlier_reference,
            earlier_position,
            earlier_started,
        ) in rows
    ]


def _earlier_fates(finding_ids: set[int], as_at: date | None) -> dict[int, tuple[int, int]]:
    """Per earlier finding: its actions and how many reached evidence of impact, today
    (one grouped query) or as at the end of ``as_at`` (the actions added by then with their
    history, two queries)."""
    if as_at is None:
        evidenced = case((Action.impact_status == ImpactStatus.EVIDENCED, 1), else_=0)
        return {
            finding_id: (int(total), int(with_evidence or 0))
            for finding_id, total, with_evidence in db.session.execute(
                select(action_finding.c.finding_id, func.count(Action.id), func.sum(evidenced))
                .join(Action, Action.id == action_finding.c.action_id)
                .where(action_finding.c.finding_id.in_(finding_ids))
                .group_by(action_finding.c.finding_id)
            ).all()
        }
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for finding_id, action in db.session.execute(
        select(action_finding.c.finding_id, Action)
        .join(Action, Action.id == action_finding.c.action_id)
        .where(action_finding.c.finding_id.in_(finding_ids), action_created_by_sql(as_at))
        .options(selectinload(Action.updates))
    ).all():
        totals[finding_id][0] += 1
        totals[finding_id][1] += impact_on(action, as_at) is ImpactStatus.EVIDENCED
    return {finding_id: (total, evidenced) for finding_id, (total, evidenced) in totals.items()}
