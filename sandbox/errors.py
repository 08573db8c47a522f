"""The errors a user can act on: each says what is wrong, where, and how to fix it.

The CLI prints the message of any `SandboxError` as one line and exits with code 2; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "did_you_mean",
    "SandboxError",
    "RecipeError",
    "DatasetError",
    "DatasetExistsError",
    "DatasetNotFoundError",
    "CalibrationError",
    "RuleError",
    "CaseError",
    "SynthError",
    "ReleaseBlockedError",
    "LandscapeError",
    "AccessDeniedError",
    "StrategyError",
]


class SandboxError(Exception):
    """Base of all errors caused by input the user can correct."""


class RecipeError(SandboxError):
    """A recipe file is missing, malformed, or holds an unknown field or a bad value."""


class DatasetError(SandboxError):
    """A dataset folder is unusable: missing tables, a bad manifest, a hash that does not match."""


class DatasetExistsError(DatasetError):
    """A dataset with the requested name already exists and `overwrite` was not asked for."""


class DatasetNotFoundError(DatasetError):
    """No dataset with the requested name exists in the dataset store."""


class CalibrationError(SandboxError):
    """The packaged calibration data is missing a figure, a unit or a source."""


class RuleError(SandboxError):
    """A regeling file or the catalog is malformed, or a period has no parameters."""


class CaseError(SandboxError):
    """A case file (one household at one date) is missing, malformed or inconsistent."""


class SynthError(SandboxError):
    """A synthesis source, model name or synthesizer is unusable."""


class ReleaseBlockedError(SynthError):
    """The release guard found a copied row or identity; nothing was written."""


class LandscapeError(SandboxError):
    """A register catalog, access-policy or defects file is missing, malformed or inconsistent."""


class AccessDeniedError(LandscapeError):
    """A simulated read has no legal basis for this organisation and purpose (strict mode)."""


class StrategyError(SandboxError):
    """A strategy file names an unknown regeling, register, event, channel or setting."""


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """A hint for a mistyped name: ``" (did you mean 'polis'?)"``, or ``""`` when none is close.

    The closest option by similarity; failing that, for three or more letters, the first
    option that starts with them.
    """
    options = [str(o) for o in options]
    close = difflib.get_close_matches(name, options, n=1)
    if not close and len(name) >= 3:
        close = [o for o in options if o.startswith(name)][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""
