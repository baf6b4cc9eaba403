"""Errors a user can act on, with their message in French and English.

Every error the CLI reports is one of these: it prints one line in the chosen
language, never a traceback.

Example:
    >>> err = UsageError(Label("année {year} hors limites", "year {year} out of range"), year=1800)
    >>> err.text("en")
    'year 1800 out of range'
"""

from __future__ import annotations

from typing import Any

from .vocabulary import Label


class MplanError(Exception):
    """Base class: a localised message with its parameters."""

    def __init__(self, message: Label, **params: Any):
        self.message = message
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str = "fr") -> str:
        return self.message(lang).format(**self.params)


class UsageError(MplanError):
    """The command was asked something it cannot do (bad option, output exists...)."""


__all__ = ["Label", "MplanError", "UsageError"]
