"""Templates, language and the per-request page context shared by the public portal and the staff console.

Why Chinese message ids: the UI is Chinese first, so the templates carry the Chinese text and
render it untouched when no catalogue applies; the English catalogue (``massline/locale/en``)
translates those ids. Adding a language is adding a catalogue, never touching a template.

The language comes from ``?lang=`` (remembered in the session), else the session, else the
browser's ``Accept-Language``; Chinese when nothing matches.
"""

from __future__ import annotations

import gettext as _gettext
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from massline import __version__
from massline.core.clock import fmt_local
from massline.serve.sla import SLA_STATE_LABELS
from massline.web.pages.security import csrf_token, session_user

WEB_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
LOCALE_DIR = WEB_DIR.parent / "locale"
DOMAIN = "massline"
LANGUAGES: dict[str, str] = {"zh": "zh-CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"
ROLE_NAMES: dict[str, str] = {
    "administrator": "管理员", "dispatcher": "分拨员", "handler": "承办人", "analyst": "分析员",
    "editor": "编辑", "reviewer": "审核员", "organiser": "征集组织者", "public": "公众",
}
ACTION_NAMES: dict[str, str] = {
    "accept": "签收", "start": "开始办理", "close": "办结", "reopen": "重新办理", "return": "退回",
}


@lru_cache(maxsize=8)
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of ``lang`` (Chinese needs none: the message ids are Chinese)."""
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], domain=DOMAIN)


def _accept_language(header: str) -> str | None:
    """The best supported language of an ``Accept-Language`` header (q-values respected)."""
    ranked: list[tuple[float, str]] = []
    for part in header.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((q, tag.strip().lower().split("-")[0]))
    for _q, code in sorted(ranked, key=lambda item: -item[0]):
        if code in LANGUAGES:
            return code
    return None


def negotiate_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    session = request.scope.get("session")
    if asked in LANGUAGES:
        if session is not None:
            session["lang"] = asked
        return str(asked)
    if session is not None and session.get("lang") in LANGUAGES:
        return str(session["lang"])
    return _accept_language(request.headers.get("accept-language", "")) or DEFAULT_LANGUAGE


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["dt"] = fmt_local  # every page shows times in the installation's zone (Settings.timezone)
    env.filters["pct"] = lambda value: "—" if value is None else f"{100 * float(value):.1f}%"
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False)
    env.globals["role_names"] = ROLE_NAMES
    env.globals["action_names"] = ACTION_NAMES
    env.globals["sla_labels"] = SLA_STATE_LABELS  # 时限 in words (已超时 …), the code stays the CSS class
    return env


templates = Jinja2Templates(env=_environment())


def _formatting(trans: _gettext.NullTranslations) -> Any:
    """``gettext`` that also fills ``%(name)s`` placeholders, like Jinja's new-style gettext."""

    def gettext(message: str, **values: Any) -> str:
        text = trans.gettext(message)
        return text % values if values else text

    return gettext


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> Response:
    """Render ``name`` with the request's language, user and CSRF token available to every template."""
    lang = negotiate_language(request)
    trans = translations(lang)
    gettext = _formatting(trans)
    ctx: dict[str, Any] = {
        "_": gettext,
        "gettext": gettext,
        "ngettext": trans.ngettext,
        "lang": lang,
        "html_lang": LANGUAGES[lang],
        "user": session_user(request),
        "csrf_token": csrf_token(request),
        "version": __version__,
        "path": request.url.path,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def gettext_for(request: Request) -> Any:
    """The ``gettext`` of the request's language, for messages built in Python (errors, flashes)."""
    return _formatting(translations(negotiate_language(request)))
