from __future__ import annotations

from pathlib import Path

import pytest

from sgreviews.review_types import ReviewTypeConfigError, load_review_types, parse_review_types
from sgreviews.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "config" / "review_types.toml"


def test_shipped_file_defines_every_review_type() -> None:
    types = load_review_types(SHIPPED)
    assert set(types) >= {
        "serious_incident_notification",
        "rapid_review",
        "lcspr",
        "national_review",
        "scr",
        "dhr",
        "sar",
        "silp",
        "learning_review",
        "appreciative_inquiry",
        "multi_agency_audit",
    }
    assert types["dhr"].display_name == "Domestic Abuse Related Death Review"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "types] must define"),
        ({"types": {"x": {"stages": ["a"]}}}, "types.x.name must be a non-empty string"),
        ({"types": {"x": {"name": "X", "stages": []}}}, "types.x.stages must be a non-empty"),
        ({"types": {"x": {"name": "X", "stages": ["a", "a"]}}}, "lists a stage twice"),
    ],
)
def test_malformed_config_names_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ReviewTypeConfigError, match=message.replace("[", r"\[")):
        parse_review_types(data, "review_types.toml")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "review_types.toml"
    broken.write_text("[types.x\nname = 1")
    with pytest.raises(ReviewTypeConfigError, match="not valid TOML"):
        load_review_types(broken)


def _one(**extra: object) -> dict[str, object]:
    table: dict[str, object] = {"name": "X", "stages": ["a", "b"]}
    table.update(extra)
    return {"types": {"x": table}}


CLOCK = {
    "key": "c",
    "name": "C",
    "start_event": "aware",
    "length": 5,
    "unit": "working_days",
    "jurisdiction": "ENG",
    "met_by": "notified",
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_one(regime="wt_1999"), "types.x.regime must be one of"),
        (_one(owning_body="council"), "types.x.owning_body must be one of"),
        (_one(transitions={"z": ["a"]}), "types.x.transitions.z is not one of the stages"),
        (_one(transitions={"a": ["z"]}), "types.x.transitions.a names 'z', which is not a stage"),
        (_one(transitions={"a": ["a"]}), "types.x.transitions.a moves to itself"),
        (_one(clocks=[{**CLOCK, "unit": "weeks"}]), r"types.x.clocks\[0\].unit must be one of"),
        (_one(clocks=[{**CLOCK, "length": 0}]), r"types.x.clocks\[0\].length must be a whole"),
        (_one(clocks=[{**CLOCK, "jurisdiction": "GB"}]), r"clocks\[0\].jurisdiction must be one"),
        (_one(clocks=[{**CLOCK, "start_event": "x"}]), r"clocks\[0\].start_event must be one"),
        (_one(clocks=[CLOCK, CLOCK]), "types.x.clocks uses a clock key twice"),
        (
            _one(outcomes=[{"key": "o", "label": "O", "commissions": "nope"}]),
            "types.x.outcomes.o.commissions names 'nope'",
        ),
        (_one(outcomes=[{"key": "o"}]), r"types.x.outcomes\[0\].label must be a non-empty"),
        (_one(stage_labels={"z": "Z"}), "types.x.stage_labels.z is not one of the stages"),
        (_one(variants=["a"]), "types.x.variants must be a table"),
    ],
)
def test_lifecycle_keys_are_validated(data: dict[str, object], message: str) -> None:
    with pytest.raises(ReviewTypeConfigError, match=message):
        parse_review_types(data, "review_types.toml")


def test_shipped_lifecycle_definitions() -> None:
    types = load_review_types(SHIPPED)
    assert types["rapid_review"].clocks[0].length == 15
    assert types["serious_incident_notification"].clocks[0].unit == "working_days"
    assert types["lcspr"].clocks[0].unit == "calendar_months"
    assert types["sar"].regime == "care_act_s44" and dict(types["sar"].variants)
    assert types["dhr"].owning_body == "community_safety"
    assert types["dhr"].stage_label("home_office_qa") == "Home Office quality assurance"
    # Issue 22: the DARDR scoping stage, which a review may also skip.
    assert types["dhr"].allowed_next("decision") == ("scoping", "commissioned", "closed")
    assert types["dhr"].allowed_next("scoping") == ("commissioned", "closed")
    assert types["lcspr"].allowed_next("commissioned") == ("in_progress",)
    assert types["lcspr"].allowed_next("closed") == ()
    assert types["rapid_review"].outcome("lcspr") is not None
    # Without a transitions table a type moves one stage at a time.
    plain = parse_review_types(_one(), "t")["x"]
    assert plain.allowed_next("a") == ("b",)
    # Issue 18: the stages that count as open (carried over); by default every stage that
    # can move on. An unpublished LCSPR at final report is open; a closed notification not.
    assert plain.open_stages == ("a",)
    assert "final_report" in types["lcspr"].open_stages
    assert "published" not in types["lcspr"].open_stages
    assert types["serious_incident_notification"].open_stages == ("notified",)
    assert parse_review_types(_one(open_stages=["b"]), "t")["x"].open_stages == ("b",)
    with pytest.raises(ReviewTypeConfigError, match=r"open_stages\.z is not one of the stages"):
        parse_review_types(_one(open_stages=["z"]), "t")


def test_malformed_shipped_file_stops_start_up(tmp_path: Path) -> None:
    from sgreviews import create_app

    (tmp_path / "review_types.toml").write_text(
        SHIPPED.read_text().replace('unit = "working_days"', 'unit = "fortnights"', 1)
    )
    with pytest.raises(ReviewTypeConfigError, match=r"clocks\[0\].unit must be one of"):
        create_app(
            {
                "SGREVIEWS_ENV": "testing",
                "SECRET_KEY": "x",
                "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
                "SGREVIEWS_CONFIG_DIR": str(tmp_path),
            }
        )


def test_what_each_shipped_type_offers() -> None:
    """The review page's links come from these flags; the shipped file keeps what the
    templates used to decide by type key."""
    types = load_review_types(SHIPPED)
    assert {k for k, t in types.items() if t.outcome_is_decision} == {
        "rapid_review",
        "dhr",
        "sar",
        "susr",
        "scotland_cplr",
        "scotland_asplr",
        "ni_cmr",
    }
    assert {k for k, t in types.items() if t.offers_rapid_review} == {
        "serious_incident_notification"
    }
    assert {k for k, t in types.items() if not t.offers_commissioning} == {
        "serious_incident_notification",
        "rapid_review",
        "national_review",
    }
    assert {k for k, t in types.items() if t.offers_home_office_qa} == {"dhr", "susr"}


def test_an_offer_flag_must_be_true_or_false() -> None:
    data = {"types": {"x": {"name": "X", "stages": ["a"], "offers_home_office_qa": "yes"}}}
    message = r"types\.x\.offers_home_office_qa must be true or false"
    with pytest.raises(ReviewTypeConfigError, match=message):
        parse_review_types(data, "test")


def test_a_clock_may_start_and_end_at_a_stage_move() -> None:
    clock = {
        **CLOCK,
        "start_event": "stage:b",
        "met_by": "stage:a",
        "unit": "calendar_days",
        "length": 7,
    }
    parsed = parse_review_types(
        _one(clocks=[clock], stage_labels={"b": "Ratified by the Chief Officers Group"}), "t"
    )["x"].clocks[0]
    assert parsed.start_stage == "b"
    assert parsed.rule == (
        '7 calendar days after the move to "Ratified by the Chief Officers Group" '
        "(a non-working day moves to the next working day)"
    )


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("stage:z", r"types.x.clocks\[0\].start_event names stage 'z', which is not a stage"),
        ("ratified", r"types.x.clocks\[0\].start_event must be one of .*stage:<stage>"),
    ],
)
def test_a_stage_event_must_name_a_stage_of_the_type(event: str, message: str) -> None:
    with pytest.raises(ReviewTypeConfigError, match=message):
        parse_review_types(_one(clocks=[{**CLOCK, "start_event": event}]), "t")


def test_shipped_four_nations_types() -> None:
    """Issue 22: each nation's types count by its own calendar by default, with the
    Scottish outcome form due 7 calendar days after the Chief Officers Group ratifies."""
    types = load_review_types(SHIPPED)
    nations = {
        "susr": "WLS",
        "scotland_cplr": "SCT",
        "scotland_asplr": "SCT",
        "ni_cmr": "NIR",
    }
    for key, nation in nations.items():
        assert types[key].clocks, key
        assert {clock.jurisdiction for clock in types[key].clocks} == {nation}, key
    assert types["susr"].owning_body_label == "Regional safeguarding board"
    assert types["susr"].regime == "wales_susr"
    for key in ("scotland_cplr", "scotland_asplr"):
        form = next(c for c in types[key].clocks if c.key == "outcome_form")
        assert (form.start_event, form.length, form.unit, form.met_by) == (
            "stage:cog_ratified",
            7,
            "calendar_days",
            "stage:outcome_notified",
        )
        # A decision not to review is still notified to the Care Inspectorate.
        assert types[key].allowed_next("decision") == ("care_inspectorate_notified",)
        assert "closed" in types[key].allowed_next("care_inspectorate_notified")
    assert {key for key, _ in types["ni_cmr"].variants} == {"cmr_concerns", "cmr_good_practice"}
    for legacy in ("wales_cpr_legacy", "wales_apr_legacy"):
        assert "action_plan" in types[legacy].stages and not types[legacy].clocks
