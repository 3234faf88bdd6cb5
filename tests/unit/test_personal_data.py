"""The personal-data check flags what may identify someone, and leaves agency and place
names alone."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sgreviews.services.briefings.personal_data import (
    FLAG_LABELS,
    Flag,
    PersonalDataConfigError,
    SecondPass,
    load_allow_list,
    load_forenames,
    nhs_checksum_ok,
    scan,
)

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
CONFIG = CONFIG_DIR / "personal_data.toml"
ALLOWED = load_allow_list(CONFIG) | {"northshire", "police", "integrated", "board"}
FORENAMES = load_forenames(CONFIG_DIR / "forenames.toml")


def kinds(text: str) -> set[tuple[str, str]]:
    return {(flag.kind, flag.text) for flag in scan({"background": text}, ALLOWED, FORENAMES)}


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
        # Issue 21: a single forename starting a sentence, from the shipped list.
        ("Kayleigh told her teacher about the bruise.", ("name", "Kayleigh")),
        ("The visit was cancelled. Tariq was not brought.", ("name", "Tariq")),
        # Forenames that are months or words, where they read as a name.
        ("April said she was frightened at home.", ("name", "April")),
        ("The nurse asked again. June was seen alone.", ("name", "June")),
        ("June Smith visited the family.", ("name", "June Smith")),
        ("April's mother rang the duty team.", ("name", "April's")),
        ("Will the panel agree? Grace said she was scared.", ("name", "Grace")),
        # Lower-case names.
        ("the social worker spoke to kayleigh and her mother.", ("name", "kayleigh")),
        ("notes say mohammed missed two appointments.", ("name", "mohammed")),
        # Postcodes and addresses in any case.
        ("The family moved to ns1 4ab in June.", ("postcode", "ns1 4ab")),
        ("They lived at 14 acacia avenue for a year.", ("address", "14 acacia avenue")),
        ("Her flat at 3b Mill Close was cold.", ("address", "3b Mill Close")),
        # National Insurance numbers, spaced or not, any case.
        ("Her NI number QQ 12 34 56 C was on the form.", ("ni_number", "QQ 12 34 56 C")),
        ("ni ab123456d appeared in the notes.", ("ni_number", "ab123456d")),
        # NHS numbers only with a valid checksum; other ten digits are reference numbers.
        ("NHS number 9434765919 was recorded.", ("nhs_number", "9434765919")),
        ("Record 401-023-2137 was shared.", ("nhs_number", "401-023-2137")),
        ("Reference 123 456 7890 was recorded.", ("long_number", "123 456 7890")),
        ("Case 943 476 5910 was recorded.", ("long_number", "943 476 5910")),
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


@pytest.mark.parametrize(
    "text",
    [
        "May we ask practitioners to reflect on this case?",
        "Police shared information with Early Help the same day.",
        "Early Help offered support. Police attended.",
        "In May the case was discussed. By June the plan was agreed.",
        "Review the plan in April. Since August was busy, the audit moved.",
        "Will the panel consider the learning? Mark the date in your diary.",
        "The rating was Amber. Hope this helps teams. A grace period applied.",
        "The Q3 2nd audit found 2 children in the park within 3 weeks close to home.",
        "Children were seen within 5 working days; 20 strategy discussions were audited.",
        "Practitioners did not ask. Think family. Was not brought.",
        "Safeguarding Partnership, Rapid Review and Child Q.",
    ],
)
def test_ordinary_safeguarding_prose_is_not_flagged(text: str) -> None:
    assert kinds(text) == set()


def test_ten_digit_numbers_are_called_nhs_numbers_only_by_their_checksum() -> None:
    assert nhs_checksum_ok("943 476 5919")
    assert nhs_checksum_ok("4010232137")
    assert not nhs_checksum_ok("943 476 5910")
    assert not nhs_checksum_ok("1234567890")  # remainder gives 10: never valid
    flag = Flag("long_number", "123 456 7890", "background")
    assert "not an NHS number" in flag.label
    assert "checksum" in FLAG_LABELS["nhs_number"]


def test_forenames_that_are_words_are_not_flagged_in_lower_case() -> None:
    assert "may" in FORENAMES and "may" not in FORENAMES.names
    assert kinds("we may ask; grace and hope; the mark was amber") == set()


def test_bad_forename_list_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "forenames.toml"
    bad.write_text('names = "Jane"\n')
    with pytest.raises(PersonalDataConfigError, match="names must be a list"):
        load_forenames(bad)
    bad.write_text('name = ["Jane"]\n')
    with pytest.raises(PersonalDataConfigError, match="unknown key 'name'"):
        load_forenames(bad)


def test_presidio_second_pass_says_why_it_did_not_run() -> None:
    """Presidio is optional. Where it is not installed (this project's default), the pass
    is unavailable and says so; where it is, it runs or names the missing spaCy model."""
    second = SecondPass()
    if importlib.util.find_spec("presidio_analyzer") is None:
        assert not second.available
        assert "presidio-analyzer package) is not installed" in second.reason
        # The check still runs, without it.
        flags = scan({"b": "Kayleigh said."}, ALLOWED, FORENAMES, second)
        assert [(f.kind, f.text) for f in flags] == [("name", "Kayleigh")]
    else:
        assert second.available or "spaCy" in second.reason or "could not start" in second.reason


def test_bad_allow_list_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "personal_data.toml"
    bad.write_text('places = "Northshire"\n')
    with pytest.raises(PersonalDataConfigError, match="places must be a list"):
        load_allow_list(bad)
    bad.write_text('placez = ["Northshire"]\n')
    with pytest.raises(PersonalDataConfigError, match="unknown key 'placez'"):
        load_allow_list(bad)
