"""massline — listen to, understand, inform and serve the public online (Chinese first)."""

__version__ = "0.1.0"
