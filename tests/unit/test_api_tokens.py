"""Personal access tokens (services/accounts/api_tokens.py): made with a name, a scope and
a lifetime within the limit; only the digest stored; refused once expired, revoked or
their user deactivated; last use noted at most once a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sgreviews.clock import utcnow
from sgreviews.extensions import db
from sgreviews.models import ApiScope, Role
from sgreviews.services.accounts import api_tokens
from sgreviews.services.api.cursors import BadCursor, decode, encode, page_of
from sgreviews.services.editing import FieldError
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")


def _make(days: int = 30, max_days: int = 365, name: str = "Report") -> tuple[object, str]:
    user = factories.user(Role.SECRETARIAT)
    return api_tokens.create(
        user=user, name=name, scope=ApiScope.READ, days=days, max_days=max_days
    )


def test_only_the_digest_is_stored_and_the_token_authenticates() -> None:
    token, raw = _make()
    assert raw.startswith("sgr_") and len(raw) > 40
    assert token.token_digest == api_tokens.digest(raw) != raw  # type: ignore[attr-defined]
    assert token.hint == raw[:8]  # type: ignore[attr-defined]
    assert api_tokens.authenticate(raw) is token
    assert api_tokens.authenticate(raw + "x") is None
    assert api_tokens.authenticate("not-even-prefixed") is None


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("", 30, "name"), ("   ", 30, "name"), ("x" * 101, 30, "name"), ("Report", 400, "days"),
     ("Report", 0, "days")],
)  # fmt: skip
def test_bad_input_is_refused_by_field(name: str, days: int, field: str) -> None:
    with pytest.raises(FieldError) as refused:
        _make(days=days, name=name)
    assert refused.value.field_name == field


def test_expired_revoked_and_deactivated_tokens_do_not_authenticate() -> None:
    expired, raw_expired = _make()
    expired.expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[attr-defined]
    revoked, raw_revoked = _make()
    assert api_tokens.revoke(user=revoked.user, token_id=revoked.id) is revoked  # type: ignore[attr-defined]
    inactive, raw_inactive = _make()
    inactive.user.is_active = False  # type: ignore[attr-defined]
    db.session.flush()
    for raw in (raw_expired, raw_revoked, raw_inactive):
        assert api_tokens.authenticate(raw) is None


def test_only_the_owner_revokes() -> None:
    token, _raw = _make()
    stranger = factories.user(Role.SECRETARIAT)
    assert api_tokens.revoke(user=stranger, token_id=token.id) is None  # type: ignore[attr-defined]
    assert token.revoked_at is None  # type: ignore[attr-defined]


def test_last_use_is_noted_at_most_once_a_minute() -> None:
    token, raw = _make()
    api_tokens.authenticate(raw)
    first = token.last_used_at  # type: ignore[attr-defined]
    assert first is not None
    api_tokens.authenticate(raw)
    assert token.last_used_at == first  # type: ignore[attr-defined]
    token.last_used_at = first - timedelta(minutes=2)  # type: ignore[attr-defined]
    api_tokens.authenticate(raw)
    assert token.last_used_at > first - timedelta(minutes=2)  # type: ignore[attr-defined]


def test_cursors_round_trip_and_refuse_strangers() -> None:
    assert decode(encode(41)) == 41
    for bad in ("", "abc", "-1", "8779141463", "١٢"):
        with pytest.raises(BadCursor):
            decode(bad)
    assert page_of([1, 2, 3], 2) == ([1, 2], "2")
    assert page_of([1, 2], 2) == ([1, 2], None)
