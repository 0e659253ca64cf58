"""What several browser tests do the same way: log a staff user in through the login form."""

from __future__ import annotations

import re

PASSWORD = "password123"  # every live-server user's password (tests/browser/conftest.py)


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/staff/inbox"))
