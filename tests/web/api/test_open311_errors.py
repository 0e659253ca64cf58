"""Open311 errors: the spec's list of ``{code, description}`` with the matching HTTP status, in both formats.

Each case names the argument at fault, so a client developer can act on the message alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pytest

from massline.db.session import session_scope
from massline.serve.accounts import create_api_key, revoke_api_key

if TYPE_CHECKING:
    from tests.web.api.conftest import Api

BASE = {"service_code": "huanjing-baohu", "lat": "28.19", "long": "112.97", "description": "噪音",
        "attribute[title]": "噪音"}


def assert_error(response: object, status: int, words: str, fmt: str) -> None:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    if fmt == "xml":
        assert response.headers["content-type"].startswith("text/xml")
        root = ET.fromstring(response.content)
        assert root.tag == "errors" and [c.tag for c in root] == ["error"] * len(root)
        assert [c.tag for c in root[0]] == ["code", "description"]
        code, description = root[0].findtext("code"), root[0].findtext("description") or ""
    else:
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert isinstance(body, list) and list(body[0]) == ["code", "description"]
        code, description = str(body[0]["code"]), body[0]["description"]
    assert code == str(status)
    assert words in description, description


POST_CASES = [
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "no-such-service"}, 404, "service_code"),
    ({"lat": "", "long": ""}, 400, "location"),
    ({"long": ""}, 400, "lat and long"),
    ({"lat": "north"}, 400, "lat"),
    ({"lat": "91"}, 400, "lat"),
    ({"long": "-181"}, 400, "long"),
    ({"attribute[title]": ""}, 400, "attribute[title]"),
    ({"attribute[urgency]": "panic"}, 400, "attribute[urgency]"),
    ({"attribute[occurred_at]": "yesterday"}, 400, "attribute[occurred_at]"),
    ({"attribute[nonsense]": "1"}, 400, "attribute[nonsense]"),
    ({"attribute[title]": "x" * 101}, 400, "attribute[title]"),
    ({"description": "长" * 4001}, 400, "description"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"email": "not-an-address"}, 400, "email"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("change", "status", "words"), POST_CASES)
def test_when_a_post_is_invalid_then_the_error_names_the_field(
    api_shared: Api, fmt: str, change: dict[str, str], status: int, words: str
) -> None:
    data = {"api_key": api_shared.api_key, **BASE, **change}
    response = api_shared.client.post(f"/open311/v2/requests.{fmt}", data=data)
    assert_error(response, status, words, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_when_the_api_key_is_missing_unknown_or_revoked_then_it_is_refused(api_shared: Api, fmt: str) -> None:
    post = api_shared.client.post
    assert_error(post(f"/open311/v2/requests.{fmt}", data=BASE), 400, "api_key", fmt)
    assert_error(post(f"/open311/v2/requests.{fmt}", data={**BASE, "api_key": "ml_guess"}), 403, "api_key", fmt)
    with session_scope(api_shared.url) as session:
        key, plaintext = create_api_key(session, "soon revoked")
    assert post(f"/open311/v2/requests.{fmt}", data={**BASE, "api_key": plaintext}).status_code == 200
    with session_scope(api_shared.url) as session:
        revoke_api_key(session, key.id)
    assert_error(post(f"/open311/v2/requests.{fmt}", data={**BASE, "api_key": plaintext}), 403, "revoked", fmt)


GET_CASES = [
    ("services/nope.{fmt}", 404, "service_code"),
    ("requests/999999.{fmt}", 404, "999999"),
    ("requests/abc.{fmt}", 400, "service_request_id"),
    ("requests/99999999999.{fmt}", 400, "service_request_id"),  # beyond 32-bit ids (PostgreSQL)
    ("tokens/unknown-token.{fmt}", 404, "token"),
    ("requests.{fmt}?service_request_id=1,x", 400, "service_request_id"),
    ("requests.{fmt}?service_code=nope", 404, "service_code"),
    ("requests.{fmt}?status=pending", 400, "status"),
    ("requests.{fmt}?start_date=2019-13-45T00:00:00Z", 400, "start_date"),
    ("requests.{fmt}?start_date=last+week", 400, "start_date"),
    ("requests.{fmt}?end_date=2019-01-01T00:00:00", 400, "end_date"),  # no timezone
    ("requests.{fmt}?start_date=2019-01-01T00:00:00Z&end_date=2019-06-01T00:00:00Z", 400, "90 days"),
    ("requests.{fmt}?start_date=2019-06-01T00:00:00Z&end_date=2019-01-01T00:00:00Z", 400, "before"),
    ("no-such-method.{fmt}", 404, "not an Open311 method"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("path", "status", "words"), GET_CASES)
def test_when_a_get_is_invalid_then_the_spec_error_comes_back(
    api_shared: Api, fmt: str, path: str, status: int, words: str
) -> None:
    response = api_shared.client.get("/open311/v2/" + path.format(fmt=fmt))
    assert_error(response, status, words, fmt)


def test_when_the_format_is_unknown_then_400_says_which_are_supported(api_shared: Api) -> None:
    response = api_shared.client.get("/open311/v2/services.csv")
    assert response.status_code == 400 and ".json or .xml" in response.json()[0]["description"]


def test_when_the_body_is_json_instead_of_a_form_then_400(api_shared: Api) -> None:
    response = api_shared.client.post("/open311/v2/requests.json", json={**BASE, "api_key": api_shared.api_key})
    assert_error(response, 400, "x-www-form-urlencoded", "json")


def test_when_the_method_is_wrong_then_405_names_the_allowed_one(api_shared: Api) -> None:
    response = api_shared.client.delete("/open311/v2/services.xml")
    assert_error(response, 405, "use GET", "xml")
    assert_error(api_shared.client.get("/open311/v2/requests/1/extra.json"), 404, "not an Open311 method", "json")
