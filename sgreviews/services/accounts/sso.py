"""Accounts from single sign-on: the verified ID token's claims become a signed-in user.

The account is found by the (issuer, subject) pair OpenID Connect never reassigns; on a
first sign-in it is optionally matched by a verified email address, else made just in
time. Every sign-in sets the role, agency and partnerships again from the person's
groups (``config/sso.toml``), so a group removed at the provider takes its role away
here at the next sign-in; each change is audited. Someone in no mapped group is refused.

The claims reach this module already checked (signature against the provider's keys,
issuer, audience, expiry, nonce) by the web layer's OpenID Connect client."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from sgreviews.extensions import db
from sgreviews.models import Agency, Partnership, Role, User
from sgreviews.services import audit
from sgreviews.services.accounts import users
from sgreviews.services.accounts.sso_mapping import GroupMapping
from sgreviews.services.organisations.directory import find_agency, partnership_by_short_name

log = logging.getLogger(__name__)

# Stored as the password hash of an account made by single sign-on: not an argon2 hash,
# so no password ever verifies against it.
NO_PASSWORD = "!single-sign-on"


class SignInRefused(Exception):
    """Single sign-on cannot let this person in. ``reason`` is a short code for the audit
    trail and the tests; ``message`` is for the person, and says what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


ASK_ADMINISTRATOR = (
    "Ask your organisation's IT service desk or this service's administrator to give your "
    "account access."
)
REFUSALS = {
    "no_group": "Your organisation's account is not in any group that gives access to this "
    "service. " + ASK_ADMINISTRATOR,
    "no_agency": "Your organisation's account gives you a role that belongs to an agency, "
    "but it is in no group that says which agency. " + ASK_ADMINISTRATOR,
    "too_many_groups": "Your organisation's account is in too many groups for the provider to "
    "list them. The provider must be set to send only the groups assigned to this service. "
    + ASK_ADMINISTRATOR,
    "configuration": "The single sign-on settings name an agency or partnership this service "
    "does not have. Tell this service's administrator.",
    "no_email": "Your organisation's account has no email address this service can use. "
    + ASK_ADMINISTRATOR,
    "email_taken": "An account with your email address already exists here, signed in "
    "with a password. Ask this service's administrator to link it to your organisation's "
    "account.",
    "deactivated": "Your account for this service has been deactivated. Ask this service's "
    "administrator if you still need it.",
}


def refused(reason: str) -> SignInRefused:
    return SignInRefused(reason, REFUSALS[reason])


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, read from the verified ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    groups: frozenset[str]
    # The provider left the groups out because there were too many (Entra ID's
    # "overage": a _claim_names entry instead of the list).
    groups_left_out: bool = False


def _as_groups(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, list):
        return frozenset(str(item) for item in value if isinstance(item, str | int))
    return frozenset()


def identity_from_claims(claims: Mapping[str, Any], mapping: GroupMapping) -> Identity:
    email = next(
        (
            str(claims[claim]).strip().lower()
            for claim in mapping.email_claims
            if isinstance(claims.get(claim), str) and "@" in claims[claim]
        ),
        None,
    )
    verified = claims.get(mapping.email_verified_claim)
    name = claims.get(mapping.name_claim)
    claim_names = claims.get("_claim_names")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=email,
        email_verified=verified is True or verified == "true",
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        groups=_as_groups(claims.get(mapping.groups_claim)),
        groups_left_out=isinstance(claim_names, dict) and mapping.groups_claim in claim_names,
    )


@dataclass(frozen=True)
class Access:
    """What the person's groups give them here."""

    role: Role
    agency: Agency | None
    partnerships: list[Partnership]


def access_for(identity: Identity, mapping: GroupMapping) -> Access:
    """The role, agency and partnerships the groups give; refused when they give none."""
    if identity.groups_left_out and not identity.groups:
        raise refused("too_many_groups")
    role = mapping.role_for(set(identity.groups))
    if role is None:
        raise refused("no_group")
    agency_name = mapping.agency_for(set(identity.groups))
    agency = find_agency(agency_name) if agency_name is not None else None
    if agency_name is not None and agency is None:
        log.error("config/sso.toml names agency %r, which does not exist", agency_name)
        raise refused("configuration")
    if role.needs_agency and agency is None:
        raise refused("no_agency")
    partnerships = []
    if role.serves_partnerships:
        for short_name in mapping.partnerships_for(set(identity.groups)):
            partnership = partnership_by_short_name(short_name)
            if partnership is None:
                log.error("config/sso.toml names partnership %r, which does not exist", short_name)
                raise refused("configuration")
            partnerships.append(partnership)
    return Access(role, agency, partnerships)


def find_by_identity(issuer: str, subject: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    )


def record_failure(reason: str) -> None:
    """A sign-in that came back from the provider but failed its checks (state, nonce,
    the ID token), for the audit trail: sign-in failures are security events."""
    audit.record(None, "session", None, "sso_failed", after={"reason": reason[:300]})


def _record_refusal(identity: Identity, user: User | None, reason: str) -> None:
    audit.record(
        user,
        "session",
        None,
        "sso_refused",
        after={
            "reason": reason,
            "issuer": identity.issuer,
            "subject": identity.subject,
            "email": identity.email,
        },
    )


def sign_in(identity: Identity, mapping: GroupMapping) -> User | SignInRefused:
    """The account for this identity, made, linked or brought up to date from the groups,
    with the sign-in recorded; or, when the person may not come in, the refusal (recorded
    in the audit trail, with nothing else changed). The caller commits either way."""
    user = find_by_identity(identity.issuer, identity.subject)
    try:
        access = access_for(identity, mapping)
        if user is None:
            user = _link_or_create(identity, mapping, access)
        elif not user.is_active:
            raise refused("deactivated")
        else:
            _bring_up_to_date(user, identity, access)
    except SignInRefused as refusal:
        _record_refusal(identity, user, refusal.reason)
        return refusal
    users.complete_sign_in(user, method="sso")
    return user


def _link_or_create(identity: Identity, mapping: GroupMapping, access: Access) -> User:
    if identity.email is None:
        raise refused("no_email")
    existing = users.find_by_email(identity.email)
    if existing is not None:
        if (
            not mapping.match_verified_email
            or not identity.email_verified
            or existing.oidc_subject is not None
        ):
            raise refused("email_taken")
        if not existing.is_active:
            raise refused("deactivated")
        existing.oidc_issuer = identity.issuer
        existing.oidc_subject = identity.subject
        db.session.flush()
        audit.record(
            existing,
            "user",
            existing.id,
            "sso_linked",
            after={"issuer": identity.issuer, "subject": identity.subject},
        )
        _bring_up_to_date(existing, identity, access)
        return existing
    user = User(
        email=identity.email,
        display_name=identity.name or identity.email,
        role=access.role,
        agency=access.agency,
        partnerships=access.partnerships,
        password_hash=NO_PASSWORD,
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        user,
        "user",
        user.id,
        "create",
        after={
            "email": user.email,
            "role": user.role,
            "agency_id": user.agency_id,
            "partnership_ids": sorted(p.id for p in user.partnerships),
            "source": "single sign-on",
            "issuer": identity.issuer,
            "subject": identity.subject,
        },
    )
    return user


def _snapshot(user: User) -> dict[str, object]:
    return {
        "display_name": user.display_name,
        "role": user.role,
        "agency_id": user.agency_id,
        "partnership_ids": sorted(p.id for p in user.partnerships),
    }


def _bring_up_to_date(user: User, identity: Identity, access: Access) -> None:
    """Set the role, agency, partnerships (and name) from this sign-in's groups; audit
    the change when there is one, naming single sign-on as its source."""
    before = _snapshot(user)
    user.role = access.role
    user.agency = access.agency
    user.partnerships = access.partnerships
    if identity.name:
        user.display_name = identity.name
    db.session.flush()
    after = _snapshot(user)
    if after != before:
        audit.record(
            user, "user", user.id, "update", before=before, after={**after, "source": "sso"}
        )
