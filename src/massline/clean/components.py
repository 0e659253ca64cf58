"""Registers the built-in cleaning components (import side effect, one registration site)."""
