"""What the briefing services refuse: ``BriefingError`` (with the form fields it concerns)
and ``StaleEdit`` (someone else saved first)."""

from __future__ import annotations


class BriefingError(ValueError):
    """A change that cannot be made; ``field_errors`` maps form fields to messages."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field_errors = field_errors or {}


class StaleEdit(BriefingError):
    """Someone else saved the draft since this editor was opened."""
