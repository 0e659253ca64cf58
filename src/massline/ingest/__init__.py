"""Intake from every channel: files (CSV/XLSX/JSONL/HTML/text/RSS), web pages and feeds, forms, Open311."""
