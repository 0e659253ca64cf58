"""Helpers for page tests: read the CSRF token of a page, log in as a seeded user."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "password123"


def csrf(client: TestClient, path: str = "/staff/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, username: str) -> str:
    response = client.post("/staff/login", data={"csrf_token": csrf(client), "username": username,
                                                  "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return csrf(client, "/staff/inbox")
