"""Open311 GeoReport v2 under ``/open311/v2/`` (and the service discovery document).

Every method of the spec, each in ``.json`` and ``.xml``: services, service definitions,
POST requests (form-encoded, API key required), tokens, requests and one request. Arguments
are declared as plain optional strings, so FastAPI never rejects a request before our own
checks can answer with the spec's error list (400 naming the argument, 403 for a bad or
revoked ``api_key``, 404 for an unknown service, request or token, 429 when one API key
sends more than ``Settings.api_rate_limit`` requests a minute).

What goes out is public: only published requests are listed (private by default, see
:mod:`massline.serve.publication`), descriptions pass :func:`massline.privacy.mask_text` for
the "public" output, coordinates are rounded, and no contact field (name, e-mail, phone,
device, account) is ever part of a request listing. The handlers are sync (run in the thread
pool) because the database is; only reading the form needs ``await`` and happens in a dependency.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from massline.engine.intake import routes_inline
from massline.serve.accounts import verify_api_key
from massline.web.api import open311_store as store
from massline.web.api.open311_format import Open311Error, Open311Route, check_format, render
from massline.web.api.open311_params import (
    MAX_IDS_PER_CALL,
    MAX_PAGE_SIZE,
    after_id,
    blank,
    check_jurisdiction,
    comma_list,
    date_range,
    new_request,
    page,
    request_ids,
    split_form,
    statuses,
)
from massline.web.api.open311_services import SERVICES, get_service, validate_attributes
from massline.web.deps import SessionDep, SettingsDep, accept_requests
from massline.web.throttling import rate_limit

SPEC = "http://wiki.open311.org/GeoReport_v2"
TAG = "open311"
FORMATS_MEDIA = ("text/xml", "application/json")
router = APIRouter(prefix="/open311", tags=[TAG], route_class=Open311Route)

FormatPath = Annotated[str, Path(description="Response format: json or xml", examples=["json"])]
Jurisdiction = Annotated[
    str | None, Query(description="Optional; when sent it must be the one this endpoint serves "
                      "(MASSLINE_JURISDICTION_ID), else 404.")
]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/xml": {}, "application/json": {}}, "description": "The resource in the chosen format"},
    400: {"description": "Missing or invalid argument (spec error list)"},
    404: {"description": "Unknown service, request or token (spec error list)"},
}


async def form_pairs(request: Request) -> list[tuple[str, Any]]:
    """All POSTed form fields, repeats included (``attribute[code][]`` may repeat)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        raise Open311Error(400, "request body must be application/x-www-form-urlencoded")
    form = await request.form()
    return list(form.multi_items())


@router.get("/discovery.{fmt}", operation_id="open311-discovery", responses=_RESPONSES)
def discovery(fmt: FormatPath, request: Request) -> Response:
    """The Open311 service discovery document: where the GeoReport v2 endpoint is and its formats."""
    check_format(fmt)
    base = str(request.base_url).rstrip("/")
    data = {
        "changeset": "2020-01-09T00:00:00Z",
        "contact": "12345 市民服务热线",
        "key_service": "API keys are issued by an administrator: massline users api-key create NAME",
        "endpoints": [{
            "specification": SPEC,
            "url": f"{base}/open311/v2",
            "changeset": "2020-01-09T00:00:00Z",
            "type": "production",
            "formats": list(FORMATS_MEDIA),
        }],
    }
    return render(data, fmt, "discovery")


@router.get("/v2/services.{fmt}", operation_id="open311-services", responses=_RESPONSES)
def services(fmt: FormatPath, settings: SettingsDep, jurisdiction_id: Jurisdiction = None) -> Response:
    """GET Service List: our seven categories, codes stable."""
    check_format(fmt)
    check_jurisdiction(jurisdiction_id, settings.jurisdiction_id)
    return render([s.as_spec() for s in SERVICES], fmt, "services")


@router.get("/v2/services/{service_code}.{fmt}", operation_id="open311-service-definition", responses=_RESPONSES)
def service_definition(service_code: str, fmt: FormatPath, settings: SettingsDep,
                       jurisdiction_id: Jurisdiction = None) -> Response:
    """GET Service Definition: the attributes a request of this service may (or must) carry."""
    check_format(fmt)
    check_jurisdiction(jurisdiction_id, settings.jurisdiction_id)
    return render(get_service(service_code).definition(), fmt, "service_definition")


@router.post("/v2/requests.{fmt}", operation_id="open311-create-request", responses={
    **_RESPONSES, 403: {"description": "api_key invalid or revoked (spec error list)"}})
def create_request(
    fmt: FormatPath,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    pairs: Annotated[list[tuple[str, Any]], Depends(form_pairs)],
    api_key: Annotated[str | None, Form()] = None,
    service_code: Annotated[str | None, Form()] = None,
    lat: Annotated[str | None, Form(description="WGS84 latitude (with long)")] = None,
    long: Annotated[str | None, Form(description="WGS84 longitude (with lat)")] = None,
    address_string: Annotated[str | None, Form()] = None,
    address_id: Annotated[str | None, Form()] = None,
    description: Annotated[str | None, Form(description="Up to 4000 characters")] = None,
    media_url: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
    device_id: Annotated[str | None, Form()] = None,
    account_id: Annotated[str | None, Form()] = None,
    first_name: Annotated[str | None, Form()] = None,
    last_name: Annotated[str | None, Form()] = None,
    phone: Annotated[str | None, Form()] = None,
    jurisdiction_id: Annotated[str | None, Form()] = None,
) -> Response:
    """POST Service Request: store the request as a work order and commit it, then route it on the
    engine; answer its id (readable at once: "open", being routed until the routing task ran).

    Fields are also declared one by one for the OpenAPI document; the handler reads them
    from ``pairs`` so that ``attribute[code]`` and ``attribute[code][]`` keep their repeats.
    """
    check_format(fmt)
    fields, attributes = split_form(pairs)
    check_jurisdiction(fields.get("jurisdiction_id"), settings.jurisdiction_id)
    key_text = blank(fields.get("api_key"))
    if key_text is None:
        raise Open311Error(400, "api_key was not provided")
    key = verify_api_key(session, key_text)
    if key is None:
        raise Open311Error(403, "api_key is invalid or has been revoked")
    # Counted in the shared counters (every worker), before this request writes anything.
    wait = rate_limit(request, "open311.post", settings.api_rate_limit).hit(str(key.id))
    if wait is not None:
        raise Open311Error(429, f"api_key: more than {settings.api_rate_limit} requests per minute; "
                                f"retry in {wait:.0f} s")
    parsed = new_request(fields, attributes)
    service = get_service(parsed.service_code)
    checked = validate_attributes(service, parsed.attributes)
    wo = store.submit(session, settings, parsed, service, checked, api_key_id=key.id)
    accept_requests(request, session, settings, [wo.id])
    if routes_inline(settings):  # routed by now, in the task's own session: the notice says where it went
        session.refresh(wo)
    return render([store.created_answer(wo)], fmt, "service_requests")


@router.get("/v2/tokens/{token}.{fmt}", operation_id="open311-token", responses=_RESPONSES)
def token(token: str, fmt: FormatPath, session: SessionDep, settings: SettingsDep,
          jurisdiction_id: Jurisdiction = None) -> Response:
    """GET service_request_id from a token."""
    check_format(fmt)
    check_jurisdiction(jurisdiction_id, settings.jurisdiction_id)
    return render([store.by_token(session, token)], fmt, "service_requests")


@router.get("/v2/requests.{fmt}", operation_id="open311-requests", responses=_RESPONSES)
def requests(
    fmt: FormatPath,
    session: SessionDep,
    settings: SettingsDep,
    service_request_id: Annotated[str | None, Query(
        description=f"Comma list of at most {MAX_IDS_PER_CALL} ids; overrides all other filters")] = None,
    service_code: Annotated[list[str] | None, Query(description="Service codes: comma list and/or repeated")] = None,
    start_date: Annotated[str | None, Query(description="W3C datetime, e.g. 2010-01-01T00:00:00Z")] = None,
    end_date: Annotated[str | None, Query(description="W3C datetime; at most 90 days after start_date")] = None,
    status: Annotated[list[str] | None, Query(description="open, closed: comma list and/or repeated")] = None,
    page_number: Annotated[str | None, Query(alias="page", description="Page of the list, from 1")] = None,
    page_size: Annotated[str | None, Query(description=f"Rows per page: default 50, at most {MAX_PAGE_SIZE}")]
    = None,
    after: Annotated[str | None, Query(description="Extension: the last service_request_id of the previous "
                                                   "page; the page after it (fast at any depth)")] = None,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """GET Service Requests: published requests only, newest first, one page (default 50, at most
    200 rows), the last 90 days unless dates say otherwise; ``after`` pages by key."""
    check_format(fmt)
    check_jurisdiction(jurisdiction_id, settings.jurisdiction_id)
    ids = request_ids(service_request_id)
    if ids:
        rows = store.requests_by_ids(session, ids)
    else:
        codes = [get_service(code).name for code in comma_list(",".join(service_code or []))]
        rows = store.search_requests(session, categories=codes, window=date_range(start_date, end_date),
                                     statuses=statuses(",".join(status or [])), page=page(page_number, page_size),
                                     after=after_id(after))
    return render(rows, fmt, "service_requests")


@router.get("/v2/requests/{service_request_id}.{fmt}", operation_id="open311-request", responses=_RESPONSES)
def request_one(service_request_id: str, fmt: FormatPath, session: SessionDep, settings: SettingsDep,
                jurisdiction_id: Jurisdiction = None) -> Response:
    """GET Service Request: one request by id (unpublished: status and dates only)."""
    check_format(fmt)
    check_jurisdiction(jurisdiction_id, settings.jurisdiction_id)
    ids = request_ids(service_request_id)
    rows = store.requests_by_ids(session, ids[:1], published_only=False) if len(ids) == 1 else []
    if not rows:
        raise Open311Error(404, f"service_request_id {service_request_id!r} not found")
    return render(rows, fmt, "service_requests")


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def not_found(rest: str, request: Request) -> Response:
    """Anything else under /open311/ answers in the spec's error format (405 for a known path)."""
    allowed = sorted({m for route in router.routes if isinstance(route, APIRoute) and route.name != "not_found"
                      and route.path_regex.match(request.url.path) for m in route.methods or ()})
    if allowed:
        raise Open311Error(405, f"{request.method} is not allowed on /open311/{rest}; use {', '.join(allowed)}")
    raise Open311Error(404, f"{request.method} /open311/{rest} is not an Open311 method of this server")

