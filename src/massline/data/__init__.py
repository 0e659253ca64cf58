"""Bundled data: routing table, small demo samples."""
