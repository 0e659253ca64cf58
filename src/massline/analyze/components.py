"""Registers the built-in analysis components (import side effect, one registration site)."""
