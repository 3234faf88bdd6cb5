"""Single sign-on settings (SGREVIEWS_SIGN_IN_METHODS, SGREVIEWS_OIDC_*) and the group
mapping of config/sso.toml: what is accepted, and each mistake refused with a message
that names it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sgreviews.models import Role
from sgreviews.services.accounts.sso import SignInRefused, access_for, identity_from_claims
from sgreviews.services.accounts.sso_mapping import (
    GroupMapping,
    SsoConfigError,
    load_mapping,
    parse_mapping,
)
from sgreviews.settings import PROJECT_ROOT, ConfigurationError, Settings

ENTRA = "https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0"


def settings(**env: str) -> Settings:
    return Settings.from_env({"SGREVIEWS_ENV": "testing", "SECRET_KEY": "x" * 40, **env})


def test_passwords_alone_by_default() -> None:
    found = settings()
    assert found.sign_in_methods == "passwords"
    assert found.passwords_allowed and not found.single_sign_on


def test_an_issuer_gives_its_discovery_document() -> None:
    found = settings(
        SGREVIEWS_SIGN_IN_METHODS="both",
        SGREVIEWS_OIDC_ISSUER=ENTRA + "/",
        SGREVIEWS_OIDC_CLIENT_ID="app-id",
        SGREVIEWS_OIDC_CLIENT_SECRET="secret",
    )
    assert found.single_sign_on and found.passwords_allowed
    assert found.oidc_metadata_url == ENTRA + "/.well-known/openid-configuration"
    assert found.oidc_scopes == "openid email profile"


def test_single_sign_on_only() -> None:
    found = settings(
        SGREVIEWS_SIGN_IN_METHODS="SSO",
        SGREVIEWS_OIDC_METADATA_URL=ENTRA + "/.well-known/openid-configuration",
        SGREVIEWS_OIDC_CLIENT_ID="app-id",
        SGREVIEWS_OIDC_SCOPES="openid  email",
    )
    assert found.single_sign_on and not found.passwords_allowed
    assert found.oidc_scopes == "openid email"
    assert found.oidc_client_secret == ""


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SGREVIEWS_SIGN_IN_METHODS": "saml"}, "SGREVIEWS_SIGN_IN_METHODS must be one of"),
        ({"SGREVIEWS_SIGN_IN_METHODS": "sso"}, "needs the provider"),
        (
            {"SGREVIEWS_SIGN_IN_METHODS": "both", "SGREVIEWS_OIDC_ISSUER": ENTRA},
            "needs SGREVIEWS_OIDC_CLIENT_ID",
        ),
        (
            {
                "SGREVIEWS_SIGN_IN_METHODS": "both",
                "SGREVIEWS_OIDC_ISSUER": ENTRA,
                "SGREVIEWS_OIDC_METADATA_URL": ENTRA + "/.well-known/openid-configuration",
            },
            "not both",
        ),
        (
            {
                "SGREVIEWS_SIGN_IN_METHODS": "sso",
                "SGREVIEWS_OIDC_ISSUER": "http://login.example.org",
                "SGREVIEWS_OIDC_CLIENT_ID": "a",
            },
            "must use https://",
        ),
        (
            {
                "SGREVIEWS_SIGN_IN_METHODS": "sso",
                "SGREVIEWS_OIDC_ISSUER": ENTRA,
                "SGREVIEWS_OIDC_CLIENT_ID": "a",
                "SGREVIEWS_OIDC_SCOPES": "email profile",
            },
            "must include openid",
        ),
    ],
)
def test_mistakes_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        settings(**env)


def test_the_shipped_mapping_reads() -> None:
    mapping = load_mapping(PROJECT_ROOT / "config", required=True)
    assert mapping.groups_claim == "groups"
    assert mapping.roles[0][1] is Role.ADMINISTRATOR
    assert not mapping.match_verified_email


def _mapping(text: str) -> GroupMapping:
    return parse_mapping(tomllib.loads(text))


def test_the_first_role_group_decides_and_every_partnership_counts() -> None:
    mapping = _mapping(
        """
        [[roles]]
        group = "g-chair"
        role = "chair"
        [[roles]]
        group = "g-sec"
        role = "secretariat"
        [[agencies]]
        group = "g-a"
        agency = "Agency A"
        [[agencies]]
        group = "g-b"
        agency = "Agency B"
        [[partnerships]]
        group = "g-p1"
        partnership = "P1"
        [[partnerships]]
        group = "g-p2"
        partnership = "P2"
        """
    )
    assert mapping.role_for({"g-sec", "g-chair"}) is Role.CHAIR
    assert mapping.role_for({"g-sec"}) is Role.SECRETARIAT
    assert mapping.role_for({"other"}) is None
    assert mapping.agency_for({"g-b", "g-a"}) == "Agency A"
    assert mapping.partnerships_for({"g-p2", "g-p1"}) == ["P1", "P2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[roles]]\ngroup = "g"\nrole = "boss"', "roles[0]: role 'boss' is not one of"),
        ('[[roles]]\ngroup = "g"', "roles[0]: role must be a non-empty string"),
        ('[[roles]]\ngroup = "g"\nrole = "chair"\nagency = "A"', "roles[0]: unknown key 'agency'"),
        ('[[agencies]]\ngroup = "g"\nagncy = "A"', "agencies[0]: unknown key 'agncy'"),
        ("groups_clam = 'groups'", "unknown key 'groups_clam'"),
        ("email_claims = []", "email_claims must be a non-empty list"),
        ("match_verified_email = 'yes'", "match_verified_email must be true or false"),
    ],
)
def test_mapping_mistakes_are_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(SsoConfigError, match=re.escape(message)):
        _mapping(text)


def test_single_sign_on_needs_a_role_group(tmp_path: Path) -> None:
    with pytest.raises(SsoConfigError, match=r"sso\.toml is missing"):
        load_mapping(tmp_path, required=True)
    assert load_mapping(tmp_path, required=False) == GroupMapping()
    (tmp_path / "sso.toml").write_text('groups_claim = "roles"\n', encoding="utf-8")
    with pytest.raises(SsoConfigError, match=r"at least one \[\[roles\]\]"):
        load_mapping(tmp_path, required=True)


def _claims(**extra: Any) -> dict[str, Any]:
    return {"iss": ENTRA, "sub": "subject-1", **extra}


def test_identity_reads_the_configured_claims() -> None:
    mapping = _mapping('groups_claim = "roles"\nemail_verified_claim = "xms_edov"')
    identity = identity_from_claims(
        _claims(
            preferred_username="Person.Q@Northshire.example",
            name=" Person Q ",
            roles=["g1", "g2"],
            groups=["ignored"],
            xms_edov=True,
        ),
        mapping,
    )
    assert identity.email == "person.q@northshire.example"  # from preferred_username
    assert identity.email_verified
    assert identity.name == "Person Q"
    assert identity.groups == frozenset({"g1", "g2"})
    assert not identity.groups_left_out


def test_entra_group_overage_is_noticed() -> None:
    """Over 200 groups, Entra ID sends a _claim_names pointer instead of the list."""
    identity = identity_from_claims(
        _claims(_claim_names={"groups": "src1"}, _claim_sources={"src1": {}}),
        GroupMapping(),
    )
    assert identity.groups_left_out and identity.groups == frozenset()
    assert identity.email is None and not identity.email_verified


def test_group_overage_is_refused_with_its_own_words() -> None:
    identity = identity_from_claims(_claims(_claim_names={"groups": "src1"}), GroupMapping())
    with pytest.raises(SignInRefused) as refused:
        access_for(identity, GroupMapping(roles=(("g", Role.CHAIR),)))
    assert refused.value.reason == "too_many_groups"
    assert "too many groups" in refused.value.message
