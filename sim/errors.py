"""The exceptions alliance-sim raises for user mistakes.

Every user-facing error derives from :class:`AllianceSimError`, so the CLI can print its message
and exit non-zero instead of showing a traceback. Each subclass also inherits the matching builtin,
so ``except ValueError`` keeps working for callers who do not know our hierarchy.
"""

from __future__ import annotations

import reprlib
from pathlib import Path


class AllianceSimError(Exception):
    """Base class of every error caused by user input."""


class ConfigError(AllianceSimError, ValueError):
    """A scenario, experiment or landscape file is malformed or inconsistent.

    Parameters
    ----------
    file : path or None
        The file the problem is in (``None`` for values built in Python).
    field : str
        Dotted path of the offending field, e.g. ``countries.SRB.alignment``.
    expected : str
        What the field should hold.
    found : object
        What it holds.
    """

    def __init__(self, file: str | Path | None, field: str, expected: str, found: object) -> None:
        self.file = None if file is None else str(file)
        self.field = field
        self.expected = expected
        self.found = found
        where = f"{self.file}: " if self.file else ""
        super().__init__(f"{where}{field}: expected {expected}, found {preview(found)}")


PREVIEW_CHARACTERS = 80
_PREVIEW = reprlib.Repr(maxlevel=3, maxdict=4, maxlist=4, maxtuple=4, maxset=4, maxstring=60,
                        maxother=60)  # fmt: skip


def preview(value: object) -> str:
    """A short repr of a found value: nested and long values are cut (``[1, 2, 3, 4, ...]``).

    An error message must stay one line even when the value is a whole subtree of a file, and
    must not cost more than the value's first few items to build.
    """
    text = _PREVIEW.repr(value)
    return text if len(text) <= PREVIEW_CHARACTERS else text[: PREVIEW_CHARACTERS - 3] + "..."


class InputFileNotFoundError(AllianceSimError, FileNotFoundError):
    """A file named by the user or by another file does not exist."""

    def __init__(self, path: str | Path, referenced_from: str | Path | None = None) -> None:
        self.path = str(path)
        origin = f" (named in {referenced_from})" if referenced_from else ""
        super().__init__(f"{path}: no such file{origin}")


class NonFiniteStateError(AllianceSimError, ArithmeticError):
    """A run's state became NaN or infinite (values that overflow); the run is recorded as failed.

    Parameters
    ----------
    month : str
        The calendar month (YYYY-MM) after which the state was checked.
    step : int
        The model step of that month.
    variable : str
        The state array or parameter that is not finite, e.g. ``tension``.
    found : float
        One of its non-finite values.
    """

    def __init__(self, month: str, step: int, variable: str, found: float) -> None:
        self.month, self.step, self.variable, self.found = month, step, variable, found
        super().__init__(
            f"{variable} is not finite ({found}) in {month} (step {step}); a parameter makes the "
            "state overflow: choose smaller values"
        )
