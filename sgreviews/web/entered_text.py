"""What a person typed into the form whose save was refused, read back from the request,
for a page that cannot show the form itself (the conflict page of a ``WriteConflict``).

The conflict page is reached from any form, so it knows no form class: it lists the
posted fields by name, leaving out what the person did not type (the CSRF token, the
hidden version fields, the button pressed) and what must never be echoed (passwords,
codes). A date comes as its day, month and year; a file is named, as it was not kept."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import FileStorage, MultiDict

# Posted by the page, not typed: the CSRF token, the optimistic-lock versions, the button.
NOT_TYPED = frozenset(
    {"csrf_token", "version", "lock_version", "expected_version", "submit", "action", "next"}
)
# Never shown back, even to the person who typed it.
SECRET_PARTS = ("password", "token", "code", "secret")


@dataclass(frozen=True)
class EnteredField:
    """One field as typed: a readable name and its text (lines kept)."""

    label: str
    text: str


def _label(name: str) -> str:
    words = name.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _shown(name: str) -> bool:
    lowered = name.lower()
    return lowered not in NOT_TYPED and not any(part in lowered for part in SECRET_PARTS)


def entered_fields(
    form: MultiDict[str, str], files: MultiDict[str, FileStorage]
) -> list[EnteredField]:
    """The non-empty typed fields of a posted form, in the order posted."""
    entered = []
    for name in form:
        if not _shown(name):
            continue
        values = [value for value in form.getlist(name) if value.strip()]
        if values:
            entered.append(EnteredField(_label(name), " ".join(values)))
    for name in files:
        names = [storage.filename for storage in files.getlist(name) if storage.filename]
        if names:
            entered.append(
                EnteredField(_label(name), "Not kept, upload again: " + ", ".join(names))
            )
    return entered
