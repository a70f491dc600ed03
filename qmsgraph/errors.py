"""qmsgraph's own exceptions: one small hierarchy, mapped by the API to problem+json."""

from __future__ import annotations


class QMSGraphError(Exception):
    """Base of every error qmsgraph raises on purpose."""


class ValidationError(QMSGraphError, ValueError):
    """Input that breaks the ontology or a field's rules.

    ``location`` names where the problem is (``file.yaml:12``, ``projects.csv row 7``,
    a field name ...); ``problems`` lists every problem found when several were collected.
    """

    def __init__(self, message: str, *, location: str | None = None,
                 field: str | None = None, problems: list[str] | None = None) -> None:
        self.location = location
        self.field = field
        text = f"{location}: {message}" if location else message
        self.problems = problems or [text]
        super().__init__(text)


class EdgeNotAllowedError(ValidationError):
    """An edge whose kind does not admit the two node kinds it would join."""


class NotFoundError(QMSGraphError, KeyError):
    """A node or edge that is not in the graph."""

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0]) if self.args else "not found"


class ConflictError(QMSGraphError):
    """A write that clashes with the current state (duplicate id, stale version)."""


class StoreError(QMSGraphError):
    """The store cannot be opened, read or written."""


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than the wait allowed.

    Nothing was written; the same change can be tried again after ``retry_after`` seconds
    (the API answers 503 with that ``Retry-After``; the CLI exits with status 75).
    """

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SPCInputError(QMSGraphError, ValueError):
    """A series that cannot be charted (duplicates, missing or non-numeric values, too short)."""
