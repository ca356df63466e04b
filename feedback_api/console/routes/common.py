"""What every console view shares: the role dependencies, the 404 page, form choices."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseType
from feedback_api.cases.state_machine import Status
from feedback_api.console.auth import require_roles
from feedback_api.console.templating import render
from feedback_api.deps import SessionDep, case_for
from feedback_api.errors import NotFound
from feedback_api.taxonomy import Role, load_provinces, load_taxonomy
from feedback_api.users.models import User
from persian_text import languages

case_worker = require_roles(
    Role.operator,
    Role.accountability_staff,
    Role.cfm_manager,
    Role.psea_focal_point,
    Role.protection_focal_point,
    Role.data_protection_officer,
)
CaseWorker = Annotated[User, Depends(case_worker)]


def console_case(action: str) -> Any:
    """`Annotated[Case, console_case("case.note")]`: the case of the path for the console
    user, audited as `action` when restricted; else the 404 page."""
    return Depends(case_for(action, case_worker))


ReadCase = Annotated[Case, console_case("case.read")]


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def not_found_page(request: Request) -> Response:
    if request.url.path.endswith(".json"):
        return JSONResponse({"detail": "not found"}, status_code=404)
    return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)


class PageNotFound(Exception):
    """A NotFound in a console view, with its page already rendered (see not_found_pages)."""

    def __init__(self, response: Response) -> None:
        super().__init__("not found")
        self.response = response


def not_found_pages(request: Request, session: SessionDep) -> Iterator[None]:
    """Every console route: a NotFound (no such case or chat, or not yours) is the 404 page.

    The page is rendered here, before the request's session ends (it names the logged-in
    user): `session` is asked for only so that it closes after this dependency.
    """
    try:
        yield
    except NotFound as exc:
        raise PageNotFound(not_found_page(request)) from exc


async def page_not_found_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageNotFound)
    return exc.response


def choices() -> dict[str, Any]:
    """The values the console's forms and filters offer."""
    taxonomy = load_taxonomy()
    return {
        "categories": list(taxonomy.categories.values()),
        "topics": taxonomy.topics,
        "provinces": list(load_provinces().values()),
        "channels": ("telegram", "sms", "phone", "web"),
        "languages": languages.registry().codes("people"),
        "statuses": [s.value for s in Status],
        "types": [t.value for t in CaseType],
        "roles": [r.value for r in Role],
    }
