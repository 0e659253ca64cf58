"""The recognizer registry: built-ins plus anything registered by a plugin.

A new recognizer is a :class:`~massline.privacy.base.Recognizer` subclass registered with
:func:`register_recognizer` (or exposed under the entry-point group ``massline.recognizers``
by another package); the analyzer core never changes for it.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TypeVar

from massline.core.errors import ComponentError
from massline.privacy.base import Recognizer

ENTRY_POINT_GROUP = "massline.recognizers"
BUILTIN_MODULES = (
    "massline.privacy.recognizers.numbers",
    "massline.privacy.recognizers.text",
    "massline.privacy.recognizers.persons",
    "massline.privacy.recognizers.places",
)

_RECOGNIZERS: dict[str, type[Recognizer]] = {}
_loaded = False

R = TypeVar("R", bound=type[Recognizer])


def register_recognizer(cls: R) -> R:
    """Class decorator: make ``cls`` part of every default analyzer (keyed by its ``name``)."""
    if not cls.name or not cls.entity:
        raise ComponentError(f"recognizer {cls.__qualname__}: 'name' and 'entity' must be set")
    _RECOGNIZERS[cls.name] = cls
    return cls


def unregister_recognizer(name: str) -> None:
    """Remove a recognizer (tests, or a deployment that does not want a built-in); unknown names are ignored."""
    _RECOGNIZERS.pop(name, None)


def load_recognizers() -> dict[str, type[Recognizer]]:
    """All registered recognizer classes: built-ins, then entry-point plugins (loaded once)."""
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            obj = ep.load()
            if not (isinstance(obj, type) and issubclass(obj, Recognizer)):
                raise ComponentError(f"entry point {ep.name!r} in {ENTRY_POINT_GROUP}: not a Recognizer subclass")
            if obj.name not in _RECOGNIZERS:
                register_recognizer(obj)
        _loaded = True
    return dict(_RECOGNIZERS)
