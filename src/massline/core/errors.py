"""All massline exceptions in one leaf module.

Why one module: call sites stay short, texts are searchable, and nothing has to import
upward to raise (the import cycle datasette suffers from). Every error names the field
and the problem so a person can act on it.
"""

from __future__ import annotations


class MasslineError(Exception):
    """Base class: everything massline raises on purpose."""


class ConfigError(MasslineError):
    """A setting is missing or has a bad value."""


class InputError(MasslineError):
    """One input (file, row, field, request) is bad; names where and why."""

    def __init__(self, reason: str, *, origin: str = "", locator: str = "", field: str = "") -> None:
        self.reason = reason
        self.origin = origin
        self.locator = locator
        self.field = field
        where = ", ".join(p for p in (origin, locator, f"field {field!r}" if field else "") if p)
        super().__init__(f"{where}: {reason}" if where else reason)


class ComponentError(MasslineError):
    """A pipeline component is unknown, misconfigured, or its requirements are not met."""


class NotFoundError(MasslineError):
    """A requested object does not exist (or is not visible to the caller)."""


class PermissionDenied(MasslineError):
    """The caller's role or department does not allow this action."""


class TransitionError(MasslineError):
    """A work-order state change that the state machine does not allow."""


class ModelNotTrainedError(MasslineError):
    """A learned component was asked to predict before its model exists in the data directory."""


class FetchError(MasslineError):
    """A URL could not be fetched politely: robots.txt disallows it, timeout, too large, HTTP error."""

    def __init__(self, reason: str, *, url: str = "") -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{url}: {reason}" if url else reason)
