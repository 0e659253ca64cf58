"""Keyword-only data-access functions shared by CLI, API and pages (route handlers never write select())."""
