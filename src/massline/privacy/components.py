"""Registers the privacy (personal-data) analysis components."""
