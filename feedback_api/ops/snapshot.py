"""The figures the database holds, read at scrape time: a few aggregate queries, no content.

Cases are counted by category code and sensitivity only. S2/S3 cases are counted per
sensitivity under the category `restricted`: their category is not shown outside their
roles in a form finer than the dashboard's national monthly counts, and a scrape every
few seconds would tell when a report of a given kind came in.

The channel gateway's tables are read through the shared metadata (the service does not
import the gateway: feedback_api.models registers every table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Table, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from feedback_api import models
from feedback_api.cases.models import Case
from feedback_api.cases.state_machine import CLOSED
from feedback_api.db import utcnow
from feedback_api.handoff.models import Handoff

RESTRICTED = ("S2", "S3")
INBOUND_WAITING = ("pending",)
OUTBOX_WAITING = ("queued", "sending")

Labels = tuple[str, ...]


@dataclass
class Queue:
    depth: int = 0
    oldest_age_seconds: float = 0.0


@dataclass
class Snapshot:
    inbound: dict[Labels, int] = field(default_factory=dict)  # (channel, transport, status)
    outbound: dict[Labels, int] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)  # inbound, outbox
    handoff_waiting: Queue = field(default_factory=Queue)
    cases_created: dict[Labels, int] = field(default_factory=dict)  # (category, sensitivity)
    cases_overdue: dict[Labels, int] = field(default_factory=dict)


def _table(name: str) -> Table:
    return models.Base.metadata.tables[name]


def _age(now: dt.datetime, oldest: dt.datetime | None) -> float:
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def _counts(rows: Iterable[tuple[object, ...]]) -> dict[Labels, int]:
    return {tuple(str(v) for v in row[:-1]): int(str(row[-1])) for row in rows}


def _messages(session: Session, name: str) -> dict[Labels, int]:
    table = _table(name)
    columns = (table.c.channel, table.c.transport, table.c.status)
    return _counts(session.execute(select(*columns, func.count()).group_by(*columns)))


def _queue(
    session: Session, name: str, statuses: tuple[str, ...], since: str, now: dt.datetime
) -> Queue:
    table = _table(name)
    depth, oldest = session.execute(
        select(func.count(), func.min(table.c[since])).where(table.c.status.in_(statuses))
    ).one()
    return Queue(int(depth), _age(now, oldest))


def overdue_condition(now: dt.datetime) -> ColumnElement[bool]:
    """As the case list's overdue filter: a target passed and the stage not done, not closed."""
    return and_(
        or_(
            Case.acknowledged_at.is_(None) & (Case.ack_due_at < now),
            Case.first_action_at.is_(None) & (Case.act_due_at < now),
            Case.closed_at.is_(None) & (Case.close_due_at < now),
        ),
        Case.status.not_in([s.value for s in CLOSED]),
    )


def _cases(session: Session, now: dt.datetime) -> tuple[dict[Labels, int], dict[Labels, int]]:
    shown = case(
        (Case.sensitivity.in_(RESTRICTED), literal("restricted")), else_=Case.category
    ).label("shown")
    query = select(shown, Case.sensitivity, func.count()).group_by(shown, Case.sensitivity)
    created = _counts(session.execute(query))
    overdue = _counts(session.execute(query.where(overdue_condition(now))))
    return created, overdue


def take(session: Session, now: dt.datetime | None = None) -> Snapshot:
    now = now or utcnow()
    created, overdue = _cases(session, now)
    waiting_since = session.execute(
        select(func.count(), func.min(Handoff.requested_at)).where(Handoff.status == "waiting")
    ).one()
    return Snapshot(
        inbound=_messages(session, "channel_inbound"),
        outbound=_messages(session, "channel_outbox"),
        queues={
            "inbound": _queue(session, "channel_inbound", INBOUND_WAITING, "received_at", now),
            "outbox": _queue(session, "channel_outbox", OUTBOX_WAITING, "created_at", now),
        },
        handoff_waiting=Queue(int(waiting_since[0]), _age(now, waiting_since[1])),
        cases_created=created,
        cases_overdue=overdue,
    )
