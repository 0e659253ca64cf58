"""The one place the pages reach into other features' service functions.

Why an indirection: the pages are built while the services they call (users, work orders,
metrics, triage) are built by others; each lookup here imports lazily and raises
:class:`ServiceUnavailable` naming what is missing, which the pages show as a "not available
yet" block instead of crashing. When a service lands, nothing in the routes changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


class ServiceUnavailable(Exception):
    """A feature the page needs is not installed (yet)."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"{what} is not available")


def lookup(*candidates: str) -> Callable[..., Any]:
    """The first ``module:function`` of ``candidates`` that exists, else :class:`ServiceUnavailable`."""
    for candidate in candidates:
        module_name, _, attr = candidate.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        func = getattr(module, attr, None)
        if callable(func):
            return func  # type: ignore[no-any-return]
    raise ServiceUnavailable(candidates[0])


def available(*candidates: str) -> bool:
    try:
        lookup(*candidates)
    except ServiceUnavailable:
        return False
    return True
