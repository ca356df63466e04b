"""What the console shows beyond the domains: ready texts, notifications, retention runs.

Case, contact and handoff rules live in their domains (cases.service, cases.flows,
contacts.service, handoff.service); visibility always comes from `cases.access`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import case_reference as references
from feedback_api.audit.models import AuditEntry
from feedback_api.cases import access
from feedback_api.cases.models import Case
from feedback_api.cases.queries import CLOSED_VALUES
from feedback_api.db import utcnow
from feedback_api.handoff import service as handoffs
from feedback_api.safeguarding import retention
from feedback_api.users.models import User
from persian_text import catalogue, languages

HERE = Path(__file__).resolve().parent


# --- ready texts -------------------------------------------------------------


def closing_texts() -> catalogue.Catalogue:
    """What operators send people: texts/closing.yml (their names are in texts/ui.yml)."""
    return catalogue.load(HERE / "texts" / "closing.yml", "people")


def ready_texts(case_: Case) -> list[dict[str, Any]]:
    """The closing texts for a case, in every language of people, its reference filled in:
    `{"key", "texts": {language: text}}`."""
    ref = references.display(case_.reference)
    texts = closing_texts()
    return [
        {
            "key": key,
            "texts": {code: text.format(ref=ref) for code, text in texts.entry(key).items()},
        }
        for key in texts
        if key != "chat_ended"
    ]


def chat_ended_text(language: str | None) -> str:
    return closing_texts().text("chat_ended", languages.registry().pick(language).code)


# --- notifications ---------------------------------------------------------------


def since_default() -> dt.datetime:
    return utcnow() - dt.timedelta(minutes=5)


def notifications(session: Session, user: User, since: dt.datetime) -> dict[str, Any]:
    """What a user should hear about: waiting handoffs they may take, new S3 cases they see."""
    waiting = handoffs.visible(session, user)
    s3 = list(
        session.execute(
            select(Case.reference, Case.category, Case.created_at)
            .where(
                access.visible_filter(user.role),
                Case.sensitivity == "S3",
                Case.created_at > since,
                Case.status.not_in(CLOSED_VALUES),
            )
            .order_by(Case.created_at)
            .limit(20)
        )
    )
    return {
        "waiting": [
            {"id": h.id, "requested_at": h.requested_at.isoformat()} for h, _case in waiting
        ],
        "new_s3": [
            {"reference": ref, "display": references.display(ref), "category": category}
            for ref, category, _at in s3
        ],
    }


# --- data retention ------------------------------------------------------------------


def retention_runs(session: Session, limit: int = 30) -> list[AuditEntry]:
    """The latest scheduled purges and their counts (each run is an audit entry)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == retention.AUDIT_ACTION)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
