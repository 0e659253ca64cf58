"""The fact-check desk pages: roles, the correction workflow (four eyes), the public ClaimReview page
(JSON-LD structure), and the evidence beside a matching message in the staff console."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.pages.pages_helpers import PASSWORD, csrf, login

from massline.claims.corrections import validate_claim_review
from massline.claims.evidence import ClaimRecord, import_claims
from massline.core.config import Settings
from massline.core.types import Result
from massline.db.models import Message
from massline.db.session import session_scope
from massline.store.results import save_results
from massline.web.pages.sample import create_user_with_password

CLAIM = ClaimRecord(claim_id="c-oil", text="炒菜时放蒜头，蒜头变红色就是地沟油", verdict="false",
                    evidence="食品安全专家：大蒜变色与地沟油无关。", variants=["蒜头变红说明是地沟油"],
                    sources=[{"url": "https://example.org/oil", "title": "原帖", "date": "2012-08-01"}],
                    author="网络传言", claim_date="2012-08-01")


def _setup(settings: Settings) -> int:
    with session_scope(settings.resolved_database_url()) as session:
        import_claims(session, [CLAIM], actor="editor1")
        for name in ("editor1", "editor2"):
            create_user_with_password(session, name, "editor", PASSWORD)
        message_id = session.scalars(select(Message.id).order_by(Message.id)).first()
        assert message_id is not None
        save_results(session, message_id, [Result("analyze.claims", "1", "claim_match",
                                                  {"matched": "c-oil", "review": False, "words": ["地沟油", "蒜头"],
                                                   "candidates": [{"claim_id": "c-oil", "score": 0.9,
                                                                   "verdict": "false"}]}, 0.9, "匹配")])
    return message_id


def _jsonld(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/ld\+json" id="claimreview">(.*?)</script>', html, re.S)
    assert match, "no ClaimReview JSON-LD on the page"
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    return data


def test_when_a_correction_is_drafted_reviewed_and_published_then_the_public_page_has_valid_claimreview(
        client: TestClient, seeded: Settings) -> None:
    message_id = _setup(seeded)
    token = login(client, "editor1")
    assert "食品安全专家" in client.get("/staff/desk/claims/c-oil").text
    assert "c-oil" in client.get("/staff/desk").text  # listed among repeated claims (1 message)
    drafted = client.post("/staff/desk/claims/c-oil/corrections", data={"csrf_token": token}, follow_redirects=False)
    assert drafted.status_code == 303
    editor = drafted.headers["location"]
    cid = int(editor.rsplit("/", 1)[1])
    page = client.get(editor).text
    assert "ClaimReview" in page and "结构检查通过" in page  # the preview shows valid JSON-LD
    assert client.get(f"/corrections/{cid}").status_code == 404  # a draft is not public
    own = client.post(editor, data={"csrf_token": token, "action": "review"})
    assert own.status_code == 422 and "author cannot review" in own.text  # four eyes
    client.post("/staff/logout", data={"csrf_token": token})
    token = login(client, "editor2")
    client.post(editor, data={"csrf_token": token, "action": "review"})
    published = client.post(editor, data={"csrf_token": token, "action": "publish"}, follow_redirects=False)
    assert published.status_code == 303
    client.post("/staff/logout", data={"csrf_token": token})

    public = client.get(f"/corrections/{cid}")
    assert public.status_code == 200
    data = _jsonld(public.text)
    assert validate_claim_review(data) == []
    assert data["@type"] == "ClaimReview" and data["url"] == f"http://testserver/corrections/{cid}"
    assert data["claimReviewed"] == CLAIM.text
    assert data["reviewRating"] == {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                                    "alternateName": "不实"}
    item = data["itemReviewed"]
    assert isinstance(item, dict) and item["@type"] == "Claim" and item["datePublished"] == "2012-08-01"
    assert item["author"]["name"] == "网络传言"
    assert item["appearance"][0]["url"] == "https://example.org/oil"
    assert isinstance(data["author"], dict) and data["author"]["@type"] == "Organization"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(data["datePublished"]))
    assert "1 条涉及该说法的留言" in public.text  # aggregate only
    assert f"/staff/messages/{message_id}" not in public.text


def test_when_a_message_matches_a_claim_then_the_console_shows_the_evidence_and_analysts_cannot_edit(
        client: TestClient, seeded: Settings) -> None:
    message_id = _setup(seeded)
    token = login(client, "analyst")
    page = client.get(f"/staff/messages/{message_id}").text
    assert "该留言重复了已核查的说法" in page and "食品安全专家" in page and "地沟油、蒜头" in page
    assert client.get("/staff/desk").status_code == 200
    denied = client.post("/staff/desk/claims/c-oil/corrections", data={"csrf_token": token}, follow_redirects=False)
    assert denied.status_code == 403
    assert csrf(client, "/staff/desk")
