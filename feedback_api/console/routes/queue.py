"""Console views: the queue of open cases and waiting chats, and its notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_api.cases import queries
from feedback_api.cases.due import next_due
from feedback_api.console import service as console
from feedback_api.console.auth import PREFIX, ConsoleUserDep
from feedback_api.console.routes.common import CaseWorker, choices, redirect
from feedback_api.console.templating import render
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.deps import SessionDep
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.taxonomy import Role
from feedback_api.users.models import User

router = APIRouter()


def _queue_filters(request: Request) -> dict[str, str]:
    return {
        name: value
        for name in queries.QUEUE_FILTERS
        if (value := request.query_params.get(name, "").strip())
    }


@router.get("/")
def queue(
    request: Request,
    user: ConsoleUserDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    mine: bool = False,
) -> Response:
    if user.role == Role.admin:
        return redirect(f"{PREFIX}/admin/users")
    filters = _queue_filters(request)
    total, rows = queries.queue_cases(session, user, filters, mine=mine, offset=offset)
    return render(
        request,
        "queue.html",
        {
            "active": "queue",
            "filters": filters,
            "mine": mine,
            "total": total,
            "rows": [(row, next_due(row)) for row in rows],
            "offset": offset,
            "limit": 50,
            "now": utcnow(),
            **_handoff_context(session, user),
            **choices(),
        },
    )


def _handoff_context(session: Session, user: User) -> dict[str, Any]:
    waiting = handoffs.visible(session, user)
    active = [
        pair
        for pair in handoffs.visible(session, user, ("active",))
        if pair[0].claimed_by_id == user.id or user.role == Role.cfm_manager
    ]
    holders = {
        u.id: u.username
        for u in session.scalars(
            select(User).where(User.id.in_([h.claimed_by_id for h, _ in active]))
        )
    }
    channels = dict(
        session.execute(
            select(Handoff.id, Contact.channel)
            .join(Contact, Handoff.contact_id == Contact.id)
            .where(Handoff.id.in_([h.id for h, _ in waiting]))
        ).all()
    )
    return {
        "waiting": waiting,
        "active_chats": active,
        "holders": holders,
        "handoff_channels": channels,
        "now": utcnow(),
    }


@router.get("/queue/handoffs")
def handoff_fragment(request: Request, user: CaseWorker, session: SessionDep) -> Response:
    """The "waiting" part of the queue, re-fetched by notify.js when it changes."""
    return render(request, "_handoffs.html", _handoff_context(session, user))


@router.get("/api/notifications.json")
def notifications(
    user: CaseWorker, session: SessionDep, since: dt.datetime | None = None
) -> JSONResponse:
    when = since if since and since.tzinfo else console.since_default()
    data = console.notifications(session, user, when)
    data["now"] = utcnow().isoformat()
    return JSONResponse(data, headers={"Cache-Control": "no-store"})
