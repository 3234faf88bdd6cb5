"""The personal-data check flags what may identify someone, and leaves agency and place
names alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgreviews.services.briefings.personal_data import (
    PersonalDataConfigError,
    load_allow_list,
    scan,
)

CONFIG = Path(__file__).resolve().parents[2] / "config" / "personal_data.toml"
ALLOWED = load_allow_list(CONFIG) | {"northshire", "police", "integrated", "board"}


def kinds(text: str) -> set[tuple[str, str]]:
    return {(flag.kind, flag.text) for flag in scan({"background": text}, ALLOWED)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The social worker, Jane Smith, visited.", ("name", "Jane Smith")),
        ("She was seen by Mrs Patel at home.", ("name", "Mrs Patel")),
        ("Later that week Tariq rang the school.", ("name", "Tariq")),
        ("Born 12/05/2015 in hospital.", ("date", "12/05/2015")),
        ("Seen on 3 March 2024 by the nurse.", ("date", "3 March 2024")),
        ("They lived at 14 Acacia Avenue for a year.", ("address", "14 Acacia Avenue")),
        ("The family moved to NS1 4AB in June.", ("postcode", "NS1 4AB")),
        ("NHS number 943 476 5919 was recorded.", ("nhs_number", "943 476 5919")),
        ("Ring 07700 900123 for the duty team.", ("phone", "07700 900123")),
        ("Email duty.team@example.org for advice.", ("email", "duty.team@example.org")),
    ],
)
def test_flags_personal_data(text: str, expected: tuple[str, str]) -> None:
    assert expected in kinds(text)


def test_agency_place_and_pseudonym_are_not_names() -> None:
    text = (
        "Northshire Police and the Northshire Integrated Care Board shared information "
        "about Child Q. Practitioners did not ask. In March the Family Court met."
    )
    assert kinds(text) == set()


def test_bad_allow_list_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "personal_data.toml"
    bad.write_text('places = "Northshire"\n')
    with pytest.raises(PersonalDataConfigError, match="places must be a list"):
        load_allow_list(bad)
    bad.write_text('placez = ["Northshire"]\n')
    with pytest.raises(PersonalDataConfigError, match="unknown key 'placez'"):
        load_allow_list(bad)
