"""Pipeline of small registered components over one record type (:class:`massline.core.types.Doc`)."""

from massline.pipeline.engine import Pipeline, build_pipeline
from massline.pipeline.registry import Component, ComponentInfo, registry

__all__ = ["Component", "ComponentInfo", "Pipeline", "build_pipeline", "registry"]
