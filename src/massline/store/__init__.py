"""Turning pipeline output into rows: messages, results, duplicates; exports."""
