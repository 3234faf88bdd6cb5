"""The password policy, after NCSC guidance: length over complexity rules (at least 12
characters, no composition rules, no forced expiry) and a deny-list of common passwords.

One function, ``password_problem``, is used by user creation, the CLI and every form that
sets a password, so the rule lives in one place.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # argon2 handles more, but nobody types a longer one

_TRAILING_DIGITS_AND_PUNCTUATION = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    """The deny-list shipped in the package (``sgreviews/data/common_passwords.txt``)."""
    text = resources.files("sgreviews").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _is_common(password: str, personal_words: tuple[str, ...]) -> bool:
    lowered = password.lower()
    stem = _TRAILING_DIGITS_AND_PUNCTUATION.sub("", lowered)
    denied = common_passwords()
    if lowered in denied or stem in denied:
        return True
    if len(set(lowered)) <= 2:  # "aaaaaaaaaaaa", "abababababab"
        return True
    return any(word and stem == word.lower() for word in personal_words)


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why this password may not be used, as a sentence for the person, or None if it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    local_part = email.split("@", 1)[0]
    personal = (email, local_part, display_name, display_name.replace(" ", ""))
    if _is_common(password, personal):
        return (
            "Password is too easy to guess: it is a common password or based on your name "
            "or email address. Try three random words"
        )
    return None
