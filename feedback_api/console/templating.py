"""The console's Jinja2 environment (`templates`) and its UI language.

Every console page (the dashboard too) extends `base.html` and renders with
`render(request, "page.html", {...})`. The context then holds:

- `lang` (a console language of persian_text/languages.yml: "fa", "en") and `dir`
  ("rtl" or "ltr"), from the `aap_lang` cookie; `ui_languages`, the console languages;
- `t(key, **params)`: a UI string from texts/ui.yml in that language;
- `csrf_token`: put it in every form as `<input type="hidden" name="csrf_token" ...>`;
- `user`: the logged-in console user (set by ConsoleUserDep), or None;
- filters `when` (local date and time), `time_left` (due in / overdue by),
  `category_label`, `status_label`, `role_label`.

Autoescaping is on for .html: never mark user text `|safe`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from feedback_api.console.auth import csrf_token
from feedback_api.db import utcnow
from feedback_api.settings import get_settings
from feedback_api.taxonomy import load_taxonomy
from persian_text import catalogue, languages

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "aap_lang"


def ui_texts() -> catalogue.Catalogue:
    return catalogue.load(HERE / "texts" / "ui.yml", "console")


def is_ui_language(code: str) -> bool:
    return code in languages.registry().codes("console")


def ui_language(request: Request) -> str:
    return languages.registry().pick(request.cookies.get(LANG_COOKIE), "console").code


def translate(lang: str, key: str, **params: object) -> str:
    """The UI text `key` in `lang`; the key itself when there is none (a code as shown)."""
    if key not in ui_texts():
        return key
    return ui_texts().text(key, lang, **params)


def _tz() -> ZoneInfo:
    return ZoneInfo(get_settings().business_timezone)


def when(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(_tz()).strftime("%Y-%m-%d %H:%M")


def minutes_left(due: dt.datetime | None, now: dt.datetime | None = None) -> int | None:
    if due is None:
        return None
    return int((due - (now or utcnow())).total_seconds() // 60)


def _span(lang: str, minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return translate(lang, "span_dh", d=days, h=hours)
    if hours:
        return translate(lang, "span_hm", h=hours, m=mins)
    return translate(lang, "span_m", m=mins)


def time_left(lang: str, due: dt.datetime | None) -> str:
    left = minutes_left(due)
    if left is None:
        return "-"
    if left < 0:
        return translate(lang, "overdue_by", span=_span(lang, -left))
    return translate(lang, "due_in", span=_span(lang, left))


def category_label(lang: str, code: str) -> str:
    category = load_taxonomy().categories.get(code)
    if category is None:
        return code
    return category.label_fa if lang == "fa" else category.label_en


def status_label(lang: str, status: str) -> str:
    return translate(lang, f"status.{status}") if f"status.{status}" in ui_texts() else status


def role_label(lang: str, role: str) -> str:
    return translate(lang, f"role.{role}") if f"role.{role}" in ui_texts() else role


def console_context(request: Request) -> dict[str, Any]:
    lang = ui_language(request)
    registry = languages.registry()
    return {
        "lang": lang,
        "dir": registry.get(lang).direction,
        "ui_languages": [language for language in registry if language.console],
        "t": lambda key, **params: translate(lang, key, **params),
        "time_left": lambda due: time_left(lang, due),
        "category_label": lambda code: category_label(lang, code),
        "status_label": lambda status: status_label(lang, status),
        "role_label": lambda role: role_label(lang, role),
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "console_user", None),
    }


templates = Jinja2Templates(directory=HERE / "templates", context_processors=[console_context])
templates.env.filters["when"] = when
templates.env.globals["minutes_left"] = minutes_left


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """A console page; the response is never cached (it may hold case content)."""
    response = templates.TemplateResponse(request, name, context or {}, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response
