"""The exceptions alliance-sim raises for user mistakes.

Every user-facing error derives from :class:`AllianceSimError`, so the CLI can print its message
and exit non-zero instead of showing a traceback. Each subclass also inherits the matching builtin,
so ``except ValueError`` keeps working for callers who do not know our hierarchy.
"""

from __future__ import annotations

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
        super().__init__(f"{where}{field}: expected {expected}, found {found!r}")


class InputFileNotFoundError(AllianceSimError, FileNotFoundError):
    """A file named by the user or by another file does not exist."""

    def __init__(self, path: str | Path, referenced_from: str | Path | None = None) -> None:
        self.path = str(path)
        origin = f" (named in {referenced_from})" if referenced_from else ""
        super().__init__(f"{path}: no such file{origin}")
