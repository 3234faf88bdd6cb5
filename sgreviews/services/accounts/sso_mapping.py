"""``config/sso.toml``: which of the provider's groups give which role, agency and
partnerships, and which claims carry the person's groups, email address and name.

Read and checked at start-up (a misspelt key stops it, naming the key); the agencies and
partnerships named are looked up at each sign-in, when the database is there."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgreviews.config_keys import first_unknown_key
from sgreviews.models import Role

FILE_NAME = "sso.toml"
TOP_KEYS = (
    "groups_claim",
    "email_claims",
    "name_claim",
    "match_verified_email",
    "email_verified_claim",
    "roles",
    "agencies",
    "partnerships",
)
ENTRY_KEYS = {
    "roles": ("group", "role"),
    "agencies": ("group", "agency"),
    "partnerships": ("group", "partnership"),
}


class SsoConfigError(ValueError):
    """``config/sso.toml`` is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class GroupMapping:
    """What the provider's groups mean here (``config/sso.toml``)."""

    groups_claim: str = "groups"
    email_claims: tuple[str, ...] = ("email", "preferred_username")
    name_claim: str = "name"
    match_verified_email: bool = False
    email_verified_claim: str = "email_verified"
    # (group, role) in order: the first the person is in decides.
    roles: tuple[tuple[str, Role], ...] = ()
    # (group, agency name) in order: the first the person is in decides.
    agencies: tuple[tuple[str, str], ...] = ()
    # (group, partnership short name): every one the person is in counts.
    partnerships: tuple[tuple[str, str], ...] = ()

    def role_for(self, groups: set[str]) -> Role | None:
        return next((role for group, role in self.roles if group in groups), None)

    def agency_for(self, groups: set[str]) -> str | None:
        return next((agency for group, agency in self.agencies if group in groups), None)

    def partnerships_for(self, groups: set[str]) -> list[str]:
        found = [name for group, name in self.partnerships if group in groups]
        return list(dict.fromkeys(found))


def _string(table: dict[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise SsoConfigError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _entries(data: dict[str, Any], name: str) -> list[tuple[str, str]]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise SsoConfigError(f"{FILE_NAME}: [[{name}]] must be a list of tables")
    entries = []
    group_key, target_key = ENTRY_KEYS[name]
    for index, entry in enumerate(value):
        where = f"{FILE_NAME}: {name}[{index}]"
        if not isinstance(entry, dict):
            raise SsoConfigError(f"{where} must be a table with {group_key} and {target_key}")
        unknown = first_unknown_key(entry, ENTRY_KEYS[name])
        if unknown is not None:
            raise SsoConfigError(f"{where}: unknown key {unknown!r}")
        entries.append(
            (_string(entry, group_key, where, ""), _string(entry, target_key, where, ""))
        )
    return entries


def parse_mapping(data: dict[str, Any]) -> GroupMapping:
    unknown = first_unknown_key(data, TOP_KEYS)
    if unknown is not None:
        raise SsoConfigError(f"{FILE_NAME}: unknown key {unknown!r}")
    email_claims = data.get("email_claims", ["email", "preferred_username"])
    if (
        not isinstance(email_claims, list)
        or not email_claims
        or not all(isinstance(claim, str) and claim for claim in email_claims)
    ):
        raise SsoConfigError(f"{FILE_NAME}: email_claims must be a non-empty list of claims")
    match_email = data.get("match_verified_email", False)
    if not isinstance(match_email, bool):
        raise SsoConfigError(f"{FILE_NAME}: match_verified_email must be true or false")
    roles = []
    for index, (group, role_name) in enumerate(_entries(data, "roles")):
        try:
            roles.append((group, Role(role_name)))
        except ValueError as error:
            known = ", ".join(role.value for role in Role)
            raise SsoConfigError(
                f"{FILE_NAME}: roles[{index}]: role {role_name!r} is not one of {known}"
            ) from error
    return GroupMapping(
        groups_claim=_string(data, "groups_claim", FILE_NAME, "groups"),
        email_claims=tuple(email_claims),
        name_claim=_string(data, "name_claim", FILE_NAME, "name"),
        match_verified_email=match_email,
        email_verified_claim=_string(data, "email_verified_claim", FILE_NAME, "email_verified"),
        roles=tuple(roles),
        agencies=tuple(_entries(data, "agencies")),
        partnerships=tuple(_entries(data, "partnerships")),
    )


def load_mapping(config_dir: Path, *, required: bool) -> GroupMapping:
    """The mapping in ``config_dir/sso.toml``. A missing file is an empty mapping unless
    single sign-on is on (``required``), when start-up stops: no one could be let in."""
    path = config_dir / FILE_NAME
    if not path.exists():
        if required:
            raise SsoConfigError(
                f"{FILE_NAME} is missing from {config_dir}: single sign-on needs the "
                "groups that give each role"
            )
        return GroupMapping()
    with path.open("rb") as handle:
        try:
            data: dict[str, Any] = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise SsoConfigError(f"{FILE_NAME}: {error}") from error
    mapping = parse_mapping(data)
    if required and not mapping.roles:
        raise SsoConfigError(f"{FILE_NAME}: single sign-on needs at least one [[roles]] entry")
    return mapping
