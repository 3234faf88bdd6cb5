"""Review types as configuration, read from ``config/review_types.toml``.

Each type has a regime (the law or guidance it runs under), the kind of body that owns it,
ordered stages with the moves allowed between them, its statutory clocks and its outcome
options. A malformed file stops start-up with a :class:`ReviewTypeConfigError` naming the
key and what is wrong with it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgreviews.config_keys import first_unknown_key

REGIMES: dict[str, str] = {
    "wt_2023": "Working Together 2018/2023",
    "wt_2015_legacy": "Working Together 2013/2015 (legacy)",
    "care_act_s44": "Care Act 2014 section 44",
    "dvcva_s9": "Domestic Violence, Crime and Victims Act 2004 section 9",
    "local_practice": "Local practice (no statutory basis)",
    "wales_susr": "Single Unified Safeguarding Review statutory guidance (Wales, 2024)",
    "wales_practice_review_legacy": (
        "Social Services and Well-being (Wales) Act 2014 practice reviews (legacy)"
    ),
    "scotland_cplr": "National Guidance for Child Protection Committees: Learning Reviews",
    "scotland_asplr": "National Guidance for Adult Protection Committees: Learning Reviews",
    "ni_sbni_reg17": "Safeguarding Board for Northern Ireland Regulations 2012, regulation 17",
}
# The regimes whose law asks the yearly report to say which findings of the year's reviews
# were not implemented, and why: the Care Act 2014, Schedule 2 paragraph 4 (a Safeguarding
# Adults Board's annual report). A review type has the duty through its ``regime``.
FINDINGS_NOT_IMPLEMENTED_REGIMES = frozenset({"care_act_s44"})
OWNING_BODIES: dict[str, str] = {
    "children": "Safeguarding children partnership",
    "adults": "Safeguarding adults board",
    "community_safety": "Community safety partnership",
    # Wales: one regional safeguarding board serves children and adults. No partnership kind
    # matches it, so the review form leaves the partnership for the user to choose.
    "regional_board": "Regional safeguarding board",
    # Scotland: the child or adult protection committee, under its Chief Officers Group.
    "child_protection_committee": "Child protection committee",
    "adult_protection_committee": "Adult protection committee",
    # Northern Ireland: the Safeguarding Board for Northern Ireland (SBNI).
    "sbni": "Safeguarding Board for Northern Ireland",
}
# The dated events of a review a clock can start from or be met by.
EVENTS: dict[str, str] = {
    "aware": "the local authority became aware",
    "notified": "notification",
    "decision": "the decision",
    "commissioned": "commissioning",
    "started": "the start",
    "sent_to_panel": "sending to the national Panel",
    "completed": "completion",
    "published": "publication",
}
UNITS = ("working_days", "calendar_days", "calendar_months")
# A clock may also start at (or be met by) the move into one of its type's stages:
# ``stage:<stage key>``, the date of the latest recorded move into that stage.
STAGE_EVENT_PREFIX = "stage:"
JURISDICTIONS: dict[str, str] = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
FIRST_DAY_RULES = ("next", "start")


class ReviewTypeConfigError(ValueError):
    """The review types file is malformed; the message names the key."""


@dataclass(frozen=True)
class Clock:
    """A statutory clock: ``length`` units after ``start_event``, met by ``met_by``."""

    key: str
    name: str
    start_event: str
    length: int
    unit: str
    jurisdiction: str
    met_by: str
    first_day: str = "next"
    # How the start event reads in the rule (a stage event's stage label); empty: EVENTS.
    start_label: str = ""

    @property
    def start_stage(self) -> str | None:
        """The stage whose move starts the clock (``stage:<key>`` events), else None."""
        return stage_of_event(self.start_event)

    @property
    def rule(self) -> str:
        """The rule in words, recorded with every deadline it produces."""
        start = self.start_label or event_label(self.start_event)
        if self.unit == "working_days":
            unit = "working day" if self.length == 1 else "working days"
            day_one = (
                "day 1 is the start day when it is a working day"
                if self.first_day == "start"
                else "day 1 is the next working day"
            )
            return f"{self.length} {unit} after {start} ({day_one})"
        if self.unit == "calendar_days":
            unit = "calendar day" if self.length == 1 else "calendar days"
        else:
            unit = "calendar month" if self.length == 1 else "calendar months"
        return (
            f"{self.length} {unit} after {start} (a non-working day moves to the next working day)"
        )


def stage_of_event(event: str) -> str | None:
    """The stage key of a ``stage:<key>`` event, or None for a dated column event."""
    if event.startswith(STAGE_EVENT_PREFIX):
        return event.removeprefix(STAGE_EVENT_PREFIX)
    return None


def event_label(event: str, stage_label: str = "") -> str:
    """An event in words: "notification", or 'the move to "<stage label>"'."""
    stage = stage_of_event(event)
    if stage is None:
        return EVENTS[event]
    return f'the move to "{stage_label or stage.replace("_", " ").capitalize()}"'


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    commissions: str = ""
    # A decision not to hold a review ("No further review", "Criteria not met: no SAR"):
    # the yearly report names such decisions and their reasons (Working Together 2023).
    no_review: bool = False


@dataclass(frozen=True)
class ReviewType:
    key: str
    name: str
    display_name: str
    short_name: str
    stages: tuple[str, ...]
    reference_prefix: str = ""
    regime: str = "local_practice"
    owning_body: str = "children"
    transitions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    clocks: tuple[Clock, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    variants: tuple[tuple[str, str], ...] = ()
    stage_labels: tuple[tuple[str, str], ...] = ()
    # The stages in which a review of the type is still open (under way): a review open on
    # the day before a period starts is carried over into it. Defaults to every stage that
    # can move on (not a final stage).
    open_stages: tuple[str, ...] = ()
    # Working days before publication that the final report must reach the national Panel
    # and the Secretary of State (0: no such rule).
    final_report_lead_days: int = 0
    # What the type offers beyond its stages (the review page's links come from these).
    # Its outcome is a decision whether to hold a review (rapid review, DHR, SAR), not how
    # the review ended.
    outcome_is_decision: bool = False
    # A notification from which the rapid review is started.
    offers_rapid_review: bool = False
    # A commissioned review: commissioning, holds for proceedings, the monitoring log and
    # publication are recorded for it.
    offers_commissioning: bool = True
    # The Home Office Quality Assurance Panel reads its report (DHR).
    offers_home_office_qa: bool = False
    # Working Together 2023: its decisions are signed off by the lead safeguarding partner
    # or a delegated safeguarding partner, and who signed is recorded with the decision.
    decision_signed_off_by_partner: bool = False
    # The external bodies its reviews are submitted to (keys of
    # config/submission_bodies.toml), offered on the "Record a submission" form.
    submissions: tuple[str, ...] = ()

    def stage_label(self, stage: str) -> str:
        return dict(self.stage_labels).get(stage) or stage.replace("_", " ").capitalize()

    def allowed_next(self, stage: str) -> tuple[str, ...]:
        """The stages a review in ``stage`` may move to (none from a final stage)."""
        return dict(self.transitions).get(stage, ())

    @property
    def regime_label(self) -> str:
        return REGIMES[self.regime]

    @property
    def owning_body_label(self) -> str:
        return OWNING_BODIES[self.owning_body]

    @property
    def prefix(self) -> str:
        return self.reference_prefix or self.short_name

    @property
    def reports_findings_not_implemented(self) -> bool:
        """Its law asks the yearly report to explain each finding not implemented, with
        the reasons (``FINDINGS_NOT_IMPLEMENTED_REGIMES``)."""
        return self.regime in FINDINGS_NOT_IMPLEMENTED_REGIMES

    def outcome(self, key: str) -> Outcome | None:
        return next((outcome for outcome in self.outcomes if outcome.key == key), None)

    def variant_label(self, key: str | None) -> str:
        return dict(self.variants).get(key or "", "")


TOP_LEVEL_KEYS = ("types",)
TYPE_KEYS = (
    "name",
    "display_name",
    "short_name",
    "stages",
    "reference_prefix",
    "regime",
    "owning_body",
    "transitions",
    "clocks",
    "outcomes",
    "variants",
    "stage_labels",
    "open_stages",
    "final_report_working_days_before_publication",
    "outcome_is_decision",
    "offers_rapid_review",
    "offers_commissioning",
    "offers_home_office_qa",
    "decision_signed_off_by_partner",
    # Issue 22 (submissions as records): the bodies a review of the type is submitted to.
    "submissions",
)
CLOCK_KEYS = ("key", "name", "start_event", "length", "unit", "jurisdiction", "met_by", "first_day")
OUTCOME_KEYS = ("key", "label", "commissions", "no_review")


def _refuse_unknown_keys(table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = first_unknown_key(table, known)
    if unknown is not None:
        raise ReviewTypeConfigError(f"{where}: unknown key {unknown!r}")


def _require_str(table: dict[str, Any], key: str, where: str, *, optional: bool = False) -> str:
    value = table.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ReviewTypeConfigError(f"{where}.{key} must be a non-empty string")
    return value


def _require_choice(
    table: dict[str, Any], key: str, where: str, choices: Any, default: str | None = None
) -> str:
    value = table.get(key, default)
    if value not in choices:
        raise ReviewTypeConfigError(
            f"{where}.{key} must be one of {', '.join(choices)}, not {value!r}"
        )
    return str(value)


def _parse_transitions(
    table: dict[str, Any], where: str, stages: list[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = table.get("transitions")
    if raw is None:
        # Without an explicit table a review moves forward one stage at a time.
        return tuple((stage, (stages[i + 1],)) for i, stage in enumerate(stages[:-1]))
    if not isinstance(raw, dict):
        raise ReviewTypeConfigError(f"{where}.transitions must be a table of stage = [stages]")
    result = []
    for stage, targets in raw.items():
        if stage not in stages:
            raise ReviewTypeConfigError(f"{where}.transitions.{stage} is not one of the stages")
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ReviewTypeConfigError(f"{where}.transitions.{stage} must be a list of stage keys")
        for target in targets:
            if target not in stages:
                raise ReviewTypeConfigError(
                    f"{where}.transitions.{stage} names {target!r}, which is not a stage"
                )
            if target == stage:
                raise ReviewTypeConfigError(f"{where}.transitions.{stage} moves to itself")
        result.append((stage, tuple(targets)))
    return tuple(result)


def _parse_event(
    item: dict[str, Any], key: str, at: str, stages: list[str], labels: dict[str, str]
) -> tuple[str, str]:
    """A clock's event: one of EVENTS or ``stage:<one of the type's stages>``, with its
    words for the rule."""
    value = item.get(key)
    if isinstance(value, str) and value.startswith(STAGE_EVENT_PREFIX):
        stage = value.removeprefix(STAGE_EVENT_PREFIX)
        if stage not in stages:
            raise ReviewTypeConfigError(f"{at}.{key} names stage {stage!r}, which is not a stage")
        return value, event_label(value, labels.get(stage, ""))
    return _require_choice(item, key, at, [*EVENTS, "stage:<stage>"]), ""


def _parse_clocks(
    table: dict[str, Any], where: str, stages: list[str], labels: dict[str, str]
) -> tuple[Clock, ...]:
    raw = table.get("clocks", [])
    if not isinstance(raw, list):
        raise ReviewTypeConfigError(f"{where}.clocks must be a list of clock tables")
    clocks = []
    for index, item in enumerate(raw):
        at = f"{where}.clocks[{index}]"
        if not isinstance(item, dict):
            raise ReviewTypeConfigError(f"{at} must be a table")
        _refuse_unknown_keys(item, CLOCK_KEYS, at)
        length = item.get("length")
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise ReviewTypeConfigError(f"{at}.length must be a whole number of 1 or more")
        start_event, start_label = _parse_event(item, "start_event", at, stages, labels)
        met_by, _ = _parse_event(item, "met_by", at, stages, labels)
        clocks.append(
            Clock(
                key=_require_str(item, "key", at),
                name=_require_str(item, "name", at),
                start_event=start_event,
                length=length,
                unit=_require_choice(item, "unit", at, UNITS),
                jurisdiction=_require_choice(item, "jurisdiction", at, JURISDICTIONS),
                met_by=met_by,
                first_day=_require_choice(item, "first_day", at, FIRST_DAY_RULES, "next"),
                start_label=start_label,
            )
        )
    keys = [clock.key for clock in clocks]
    if len(set(keys)) != len(keys):
        raise ReviewTypeConfigError(f"{where}.clocks uses a clock key twice")
    return tuple(clocks)


def _parse_outcomes(table: dict[str, Any], where: str) -> tuple[Outcome, ...]:
    raw = table.get("outcomes", [])
    if not isinstance(raw, list):
        raise ReviewTypeConfigError(f"{where}.outcomes must be a list of outcome tables")
    outcomes = []
    for index, item in enumerate(raw):
        at = f"{where}.outcomes[{index}]"
        if not isinstance(item, dict):
            raise ReviewTypeConfigError(f"{at} must be a table")
        _refuse_unknown_keys(item, OUTCOME_KEYS, at)
        outcomes.append(
            Outcome(
                key=_require_str(item, "key", at),
                label=_require_str(item, "label", at),
                commissions=_require_str(item, "commissions", at, optional=True),
                no_review=_parse_flag(item, "no_review", at, False),
            )
        )
    return tuple(outcomes)


def _parse_variants(table: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    raw = table.get("variants", {})
    if not isinstance(raw, dict) or not all(
        isinstance(label, str) and label for label in raw.values()
    ):
        raise ReviewTypeConfigError(f'{where}.variants must be a table of key = "label"')
    return tuple(raw.items())


def _parse_stage_labels(
    table: dict[str, Any], where: str, stages: list[str]
) -> tuple[tuple[str, str], ...]:
    raw = table.get("stage_labels", {})
    if not isinstance(raw, dict):
        raise ReviewTypeConfigError(f'{where}.stage_labels must be a table of stage = "label"')
    for stage, label in raw.items():
        if stage not in stages:
            raise ReviewTypeConfigError(f"{where}.stage_labels.{stage} is not one of the stages")
        if not isinstance(label, str) or not label.strip():
            raise ReviewTypeConfigError(f"{where}.stage_labels.{stage} must be a non-empty string")
    return tuple(raw.items())


def _parse_open_stages(
    table: dict[str, Any], where: str, stages: list[str], transitions: tuple[Any, ...]
) -> tuple[str, ...]:
    raw = table.get("open_stages")
    if raw is None:
        moving = {stage for stage, targets in transitions if targets}
        return tuple(stage for stage in stages if stage in moving)
    if not isinstance(raw, list) or not all(isinstance(stage, str) for stage in raw):
        raise ReviewTypeConfigError(f"{where}.open_stages must be a list of stage keys")
    for stage in raw:
        if stage not in stages:
            raise ReviewTypeConfigError(f"{where}.open_stages.{stage} is not one of the stages")
    return tuple(raw)


def _parse_flag(table: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ReviewTypeConfigError(f"{where}.{key} must be true or false")
    return value


def _parse_lead_days(table: dict[str, Any], where: str) -> int:
    value = table.get("final_report_working_days_before_publication", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReviewTypeConfigError(
            f"{where}.final_report_working_days_before_publication must be a whole number "
            "of 0 or more"
        )
    return value


def _parse_submissions(table: dict[str, Any], where: str) -> tuple[str, ...]:
    """The keys of the bodies the type submits to (checked against
    config/submission_bodies.toml at start-up, by sgreviews.submission_bodies)."""
    value = table.get("submissions", [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ReviewTypeConfigError(f"{where}.submissions must be a list of body keys")
    if len(set(value)) != len(value):
        raise ReviewTypeConfigError(f"{where}.submissions lists a body twice")
    return tuple(value)


def parse_review_types(data: dict[str, Any], source: str) -> dict[str, ReviewType]:
    _refuse_unknown_keys(data, TOP_LEVEL_KEYS, source)
    types = data.get("types")
    if not isinstance(types, dict) or not types:
        raise ReviewTypeConfigError(f"{source}: [types] must define at least one review type")
    result: dict[str, ReviewType] = {}
    for key, table in types.items():
        where = f"{source}: types.{key}"
        if not isinstance(table, dict):
            raise ReviewTypeConfigError(f"{where} must be a table")
        _refuse_unknown_keys(table, TYPE_KEYS, where)
        name = _require_str(table, "name", where)
        stages = table.get("stages")
        if (
            not isinstance(stages, list)
            or not stages
            or not all(isinstance(stage, str) and stage for stage in stages)
        ):
            raise ReviewTypeConfigError(f"{where}.stages must be a non-empty list of stage keys")
        if len(set(stages)) != len(stages):
            raise ReviewTypeConfigError(f"{where}.stages lists a stage twice")
        short_name = _require_str(table, "short_name", where, optional=True) or name
        stage_labels = _parse_stage_labels(table, where, stages)
        result[key] = ReviewType(
            key=key,
            name=name,
            display_name=_require_str(table, "display_name", where, optional=True) or name,
            short_name=short_name,
            stages=tuple(stages),
            reference_prefix=_require_str(table, "reference_prefix", where, optional=True),
            regime=_require_choice(table, "regime", where, REGIMES, "local_practice"),
            owning_body=_require_choice(table, "owning_body", where, OWNING_BODIES, "children"),
            transitions=(transitions := _parse_transitions(table, where, stages)),
            open_stages=_parse_open_stages(table, where, stages, transitions),
            clocks=_parse_clocks(table, where, stages, dict(stage_labels)),
            outcomes=_parse_outcomes(table, where),
            variants=_parse_variants(table, where),
            stage_labels=stage_labels,
            final_report_lead_days=_parse_lead_days(table, where),
            outcome_is_decision=_parse_flag(table, "outcome_is_decision", where, False),
            offers_rapid_review=_parse_flag(table, "offers_rapid_review", where, False),
            decision_signed_off_by_partner=_parse_flag(
                table, "decision_signed_off_by_partner", where, False
            ),
            offers_commissioning=_parse_flag(table, "offers_commissioning", where, True),
            offers_home_office_qa=_parse_flag(table, "offers_home_office_qa", where, False),
            submissions=_parse_submissions(table, where),
        )
    # Cross-references are checked once every type is known.
    for review_type in result.values():
        for outcome in review_type.outcomes:
            if outcome.commissions and outcome.commissions not in result:
                raise ReviewTypeConfigError(
                    f"{source}: types.{review_type.key}.outcomes.{outcome.key}.commissions "
                    f"names {outcome.commissions!r}, which is not a review type"
                )
    return result


def load_review_types(path: Path) -> dict[str, ReviewType]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ReviewTypeConfigError(f"{path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise ReviewTypeConfigError(f"{path} is not valid TOML: {error}") from error
    return parse_review_types(data, path.name)
