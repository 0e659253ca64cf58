"""Open311 GeoReport v2 conformance: every method in JSON and XML against the spec's field lists.

Field lists are copied from the spec (http://wiki.open311.org/GeoReport_v2), not from our code,
so a renamed or missing field fails here. XML is parsed with ``xml.etree``; JSON must be the
Spark-convention mirror of the same XML.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from massline.db.models.intake import RawItem
from massline.db.models.message import Message
from massline.db.models.workorders import Contact, WorkOrder, WorkOrderEvent
from massline.db.session import session_scope

if TYPE_CHECKING:  # tests are not a package; the fixture's type is for readers and mypy
    from tests.web.api.conftest import Api

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order", "description",
                    "values"]
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
POST_FIELDS = ["service_request_id", "service_notice", "account_id"]
TOKEN_FIELDS = ["service_request_id", "token"]
#: The requester opted in to publication (lists show nothing else).
CONSENT = {"attribute[publish]": "yes"}
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
CONTACT_FIELDS = {"email", "phone", "first_name", "last_name", "device_id", "account_id"}
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SEVEN = {"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"}


def xml_root(api: Api, path: str, status: int = 200) -> ET.Element:
    response = api.client.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def json_body(api: Api, path: str, status: int = 200) -> Any:
    response = api.client.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def test_when_listing_services_then_both_formats_have_exactly_the_spec_fields(api_shared: Api) -> None:
    data = json_body(api_shared, "/open311/v2/services.json")
    assert {s["service_name"] for s in data} == SEVEN
    for service in data:
        assert list(service) == SERVICE_FIELDS
        assert service["metadata"] is True and service["type"] in {"realtime", "batch", "blackbox"}
    root = xml_root(api_shared, "/open311/v2/services.xml")
    assert root.tag == "services" and len(root) == 7
    for element, service in zip(root, data, strict=True):
        assert element.tag == "service" and children(element) == SERVICE_FIELDS
        assert element.findtext("service_code") == service["service_code"]
        assert element.findtext("metadata") == "true"


def test_when_getting_a_service_definition_then_attributes_follow_the_spec(api_shared: Api) -> None:
    data = json_body(api_shared, "/open311/v2/services/jiaotong-yunshu.json")
    assert list(data) == ["service_code", "attributes"] and data["service_code"] == "jiaotong-yunshu"
    orders = [a["order"] for a in data["attributes"]]
    assert orders == sorted(set(orders)) and orders[0] == 1
    for attr in data["attributes"]:
        assert list(attr) == ATTRIBUTE_FIELDS
        assert attr["datatype"] in DATATYPES and isinstance(attr["variable"], bool)
        assert isinstance(attr["required"], bool)
        if attr["datatype"].endswith("valuelist"):
            assert attr["values"] and all(list(v) == ["key", "name"] for v in attr["values"])
    assert any(not a["variable"] for a in data["attributes"])  # informational attribute
    sub = next(a for a in data["attributes"] if a["code"] == "subcategory")
    assert "出租车管理" in {v["name"] for v in sub["values"]}
    root = xml_root(api_shared, "/open311/v2/services/jiaotong-yunshu.xml")
    assert root.tag == "service_definition" and children(root) == ["service_code", "attributes"]
    attrs = root.find("attributes")
    assert attrs is not None and len(attrs) == len(data["attributes"])
    for element in attrs:
        assert element.tag == "attribute" and children(element) == ATTRIBUTE_FIELDS
    values = attrs[1].find("values")
    assert values is not None and all(children(v) == ["key", "name"] for v in values)
    # The Chinese category name is accepted as a code too.
    assert json_body(api_shared, "/open311/v2/services/交通运输.json")["service_code"] == "jiaotong-yunshu"


def test_when_a_request_is_posted_then_it_is_stored_raw_then_message_then_work_order(api: Api) -> None:
    created = api.post_request(email="zhang@example.cn", phone="13812345678", first_name="三", last_name="张",
                               address_string="A1区 某某路 12 号", **{"attribute[urgency]": "urgent"})
    assert list(created) == POST_FIELDS
    assert isinstance(created["service_request_id"], int) and created["account_id"] is None
    with session_scope(api.url) as session:
        wo = session.get(WorkOrder, created["service_request_id"])
        assert wo is not None and wo.source == "open311" and wo.category == "环境保护"
        assert wo.service_code == "huanjing-baohu" and wo.priority == "high" and wo.lat == pytest.approx(28.19)
        message = session.get(Message, wo.message_id)
        assert message is not None and message.body == "小区旁边工地夜间施工噪音扰民"
        assert message.title == "夜间施工噪音" and message.author_ref
        raw = session.get(RawItem, message.raw_item_id)
        assert raw is not None and api.api_key.encode() not in raw.content  # the key is never stored
        contact = session.get(Contact, wo.contact_id)
        assert contact is not None and contact.email == "zhang@example.cn"
        kinds = session.scalars(select(WorkOrderEvent.kind).where(WorkOrderEvent.work_order_id == wo.id)).all()
        assert "created" in kinds


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_when_posting_in_either_format_then_the_answer_has_the_spec_fields(api_shared: Api, fmt: str) -> None:
    data = {"api_key": api_shared.api_key, "service_code": "weisheng-jisheng", "address_string": "A3区 人民医院",
            "description": "挂号难", "attribute[title]": "挂号难"}
    response = api_shared.client.post(f"/open311/v2/requests.{fmt}", data=data)
    assert response.status_code == 200, response.text
    if fmt == "xml":
        root = ET.fromstring(response.content)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
        assert children(root[0]) == POST_FIELDS and root[0].findtext("service_request_id", "").isdigit()
    else:
        assert [list(r) for r in response.json()] == [POST_FIELDS]


def test_when_getting_a_token_then_it_names_its_service_request(api_shared: Api) -> None:
    created = api_shared.post_request()
    with session_scope(api_shared.url) as session:
        token = session.scalars(select(WorkOrder.token).where(WorkOrder.id == created["service_request_id"])).one()
    data = json_body(api_shared, f"/open311/v2/tokens/{token}.json")
    assert data == [{"service_request_id": created["service_request_id"], "token": token}]
    root = xml_root(api_shared, f"/open311/v2/tokens/{token}.xml")
    assert root.tag == "service_requests" and children(root[0]) == TOKEN_FIELDS


def test_when_listing_requests_then_fields_are_the_spec_and_no_personal_data_leaves(api: Api) -> None:
    personal = {"email": "li.si@example.cn", "phone": "13900001111", "first_name": "四", "last_name": "李",
                "device_id": "dev-42", "account_id": "acct-77"}
    first = api.post_request(**personal, **CONSENT)
    second = api.post_request(service_code="jiaoyu-wenti", description="学校乱收费",
                              **{"attribute[title]": "乱收费"}, **CONSENT)
    data = json_body(api, "/open311/v2/requests.json")
    assert [r["service_request_id"] for r in data] == [second["service_request_id"], first["service_request_id"]]
    for row in data:
        assert list(row) == REQUEST_FIELDS
        assert row["status"] in {"open", "closed"}
        assert W3C.match(row["requested_datetime"]) and W3C.match(row["updated_datetime"])
        assert not CONTACT_FIELDS & set(row)
    for fmt in ("json", "xml"):
        body = api.client.get(f"/open311/v2/requests.{fmt}").text
        for value in personal.values():
            assert value not in body
    root = xml_root(api, "/open311/v2/requests.xml")
    assert root.tag == "service_requests" and all(c.tag == "request" for c in root)
    assert all(children(c) == REQUEST_FIELDS for c in root)
    one = json_body(api, f"/open311/v2/requests/{first['service_request_id']}.json")
    assert len(one) == 1 and one[0]["service_code"] == "huanjing-baohu" and one[0]["service_name"] == "环境保护"
    root = xml_root(api, f"/open311/v2/requests/{first['service_request_id']}.xml")
    assert root.tag == "service_requests" and children(root[0]) == REQUEST_FIELDS


def test_when_filtering_requests_then_each_argument_narrows_the_list(api_sqlite: Api) -> None:
    env = api_sqlite.post_request(**CONSENT)["service_request_id"]
    edu = api_sqlite.post_request(service_code="jiaoyu-wenti", **CONSENT)["service_request_id"]
    get = api_sqlite.client.get

    def ids(query: str) -> list[object]:
        response = get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert ids("service_code=jiaoyu-wenti") == [edu]
    assert ids("service_code=jiaoyu-wenti,huanjing-baohu") == [edu, env]
    assert ids(f"service_request_id={env},{edu}") == [edu, env]
    assert ids("status=open") == [edu, env] and ids("status=closed") == []
    assert ids("status=open,closed") == [edu, env]
    assert ids("status=open&status=closed&service_code=jiaoyu-wenti&service_code=huanjing-baohu") == [edu, env]
    assert ids("start_date=2010-01-01T00:00:00Z&end_date=2010-02-01T00:00:00Z") == []
    assert ids("service_code=&status=") == [edu, env]  # empty = not sent (spec "optional argument")
    with session_scope(api_sqlite.url) as session:
        wo = session.get(WorkOrder, env)
        assert wo is not None
        wo.status, wo.closed_at = "closed", wo.created_at
    assert ids("status=closed") == [env]
    assert json_body(api_sqlite, f"/open311/v2/requests/{env}.json")[0]["status"] == "closed"


def test_when_paging_by_key_then_pages_follow_one_another_like_offset_pages(api: Api) -> None:
    posted = [api.post_request(**CONSENT)["service_request_id"] for _ in range(5)]
    get = api.client.get

    def ids(query: str) -> list[object]:
        response = get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    newest_first = ids("page_size=5")
    assert sorted(newest_first) == sorted(posted)  # type: ignore[type-var]
    first = ids("page_size=2")
    second = ids(f"page_size=2&after={first[-1]}")
    assert first + second == newest_first[:4] == first + ids("page_size=2&page=2")
    assert ids(f"page_size=2&after={newest_first[-1]}") == []
    for bad in ("0", "x", "99999999999"):
        response = get(f"/open311/v2/requests.json?after={bad}")
        assert response.status_code == 400 and "after" in response.json()[0]["description"]
    response = get("/open311/v2/requests.json?after=2147483000")  # a well-formed id nobody was given
    assert response.status_code == 400 and "after" in response.json()[0]["description"]


def test_when_the_requester_did_not_opt_in_then_the_description_is_withheld(api_shared: Api) -> None:
    for created in (api_shared.post_request(), api_shared.post_request(**{"attribute[publish]": "no"})):
        row = json_body(api_shared, f"/open311/v2/requests/{created['service_request_id']}.json")[0]
        assert row["description"] is None and row["lat"] is None and row["status"] == "open"


def test_when_asking_for_discovery_then_the_endpoint_and_formats_are_listed(api_shared: Api) -> None:
    data = json_body(api_shared, "/open311/discovery.json")
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and "text/xml" in endpoint["formats"]
    root = xml_root(api_shared, "/open311/discovery.xml")
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None
