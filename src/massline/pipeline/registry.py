"""Registry of pipeline components, in the spirit of spaCy's factories and Presidio's recognizers.

A component is a small callable object ``doc -> doc`` that says what it needs and what it
writes. It is registered under a stable name with a version; changing behaviour means
bumping the version, so stored results can say exactly what produced them.

Built-ins register themselves when their module is imported (see ``DEFAULT_MODULES``);
third-party packages add components through the ``massline.components`` entry-point group
— the same path built-ins use — without touching the core.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, TypeVar, runtime_checkable

from massline.core.errors import ComponentError
from massline.core.types import Doc

ENTRY_POINT_GROUP = "massline.components"

#: Modules whose import registers the built-in components. Kept here (one registration
#: site) so importing the registry never drags in heavy models by accident.
DEFAULT_MODULES: tuple[str, ...] = (
    "massline.clean.components",
    "massline.analyze.components",
    "massline.privacy.components",
)

#: The built-in modules that register each name prefix (``clean.*``, ``analyze.*``): building a
#: pipeline imports only what its components need — ``massline analyze`` does not import the
#: cleaning components (pypinyin and its phrase dictionary cost half a second at start-up).
PREFIX_MODULES: dict[str, tuple[str, ...]] = {
    "clean": ("massline.clean.components",),
    "analyze": ("massline.analyze.components", "massline.privacy.components"),
}


@runtime_checkable
class Component(Protocol):
    """What the engine needs of a component. ``pipe`` is optional (batching)."""

    name: str
    version: str

    def __call__(self, doc: Doc) -> Doc: ...


@dataclass(frozen=True)
class ComponentInfo:
    name: str
    version: str
    factory: Callable[..., Component]
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    stage: str = "clean"
    doc: str = ""


F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class ComponentRegistry:
    _items: dict[str, ComponentInfo] = field(default_factory=dict)
    _loaded: bool = False
    _plugins_loaded: bool = False

    def register(
        self,
        name: str,
        *,
        version: str,
        stage: str = "clean",
        requires: Iterable[str] = (),
        assigns: Iterable[str] = (),
    ) -> Callable[[F], F]:
        """Decorator for a factory ``(**config) -> Component`` (a class works too)."""

        def deco(factory: F) -> F:
            self._items[name] = ComponentInfo(
                name=name,
                version=version,
                factory=factory,
                requires=tuple(requires),
                assigns=tuple(assigns),
                stage=stage,
                doc=(factory.__doc__ or "").strip().split("\n")[0],
            )
            return factory

        return deco

    def load(self) -> None:
        """Import built-ins and entry-point plugins once."""
        if self._loaded:
            return
        self._loaded = True
        for module in DEFAULT_MODULES:
            importlib.import_module(module)
        self._load_plugins()

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            ep.load()

    def _load_for(self, name: str) -> None:
        """Import what registers ``name``: the built-in modules of its prefix and the plugins (a
        plugin may replace a built-in); everything when that does not register it."""
        if self._loaded:
            return
        for module in PREFIX_MODULES.get(name.split(".", 1)[0], ()):
            if module in DEFAULT_MODULES:
                importlib.import_module(module)
        self._load_plugins()
        if name not in self._items:
            self.load()

    def get(self, name: str) -> ComponentInfo:
        self._load_for(name)
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "(none)"
            raise ComponentError(f"unknown component {name!r}; registered: {known}") from None

    def names(self, stage: str | None = None) -> list[str]:
        self.load()
        return [n for n, i in self._items.items() if stage is None or i.stage == stage]

    def create(self, name: str, **config: Any) -> Component:
        info = self.get(name)
        component = info.factory(**config)
        component.name = info.name
        component.version = info.version
        return component


registry = ComponentRegistry()
