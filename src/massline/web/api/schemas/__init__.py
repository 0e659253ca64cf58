"""Pydantic schemas of the staff API, one family per resource: ``XBase`` (shared fields),
``XCreate``/``XIn`` (what a client sends), ``XPublic`` (what we answer).

Why separate from the ORM models: a response model lists what may leave, so DB-only fields
(password hashes, requester tokens, contact ids, raw text) cannot leak by being added to a
table. Schemas are built from rows by explicit functions in the router modules, never by
``from_attributes`` on a whole row.
"""
