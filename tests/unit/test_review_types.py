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
