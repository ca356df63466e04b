"""Which worker takes a message: leases, so any number of service processes run workers.

Before a turn, a worker claims the contact's oldest waiting message (the head), on
PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED` (two processes never take the same row
and neither waits for the other), and writes its claim and a lease on it (`claimed_by`,
`lease_until`). While the head is leased no other worker takes that contact, so one
contact's messages go one at a time and in order across all processes. A crashed worker's
lease runs out (INBOUND_LEASE_SECONDS) and another worker takes the message over, as a
retry (it asks Rasa's tracker for the turn by its message id before sending it again). A
worker that comes back after its lease ran out finds its claim gone and drops its turn:
its replies are not stored a second time.

On SQLite (one process) the same statements run without row locks: SQLite writes one
transaction at a time, and a restart frees the leases the previous run left.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from channels.models import InboundMessage
from feedback_api.db import utcnow
from feedback_api.settings import get_settings

_RUN = uuid.uuid4().hex[:10]
_counter = itertools.count(1)


def new_claim() -> str:
    """A claim id unique across processes and hosts (one per turn)."""
    return f"{os.getpid()}-{_RUN}-{next(_counter)}"


def is_free(model: Any, now: dt.datetime) -> ColumnElement[bool]:
    """No worker holds the row: never claimed, released, or its lease ran out."""
    return or_(model.lease_until.is_(None), model.lease_until < now)


def claim(session: Session, row_id: int, claim_id: str) -> InboundMessage | None:
    """Lease the waiting message `row_id` to `claim_id`; None when another worker has it
    (locked right now, or leased) or it is no longer waiting."""
    now = utcnow()
    row = session.scalar(
        select(InboundMessage)
        .where(
            InboundMessage.id == row_id,
            InboundMessage.status == "pending",
            is_free(InboundMessage, now),
        )
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if row is None:
        return None
    row.claimed_by = claim_id
    renew(row)
    return row


def renew(row: InboundMessage) -> None:
    """The lease from now on (written with the phase's commit)."""
    row.lease_until = utcnow() + dt.timedelta(seconds=get_settings().inbound_lease_seconds)


def held(session: Session, row_id: int, claim_id: str) -> InboundMessage | None:
    """The message, locked until the commit, if `claim_id` still holds it; None when the
    lease ran out and another worker took it over."""
    row = session.scalar(
        select(InboundMessage)
        .where(InboundMessage.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return row if row is not None and row.claimed_by == claim_id else None


def free_after_restart(session: Session) -> int:
    """On SQLite, where one process runs the workers, the leases a previous run left are
    dead: free them at start instead of waiting for them to run out."""
    if session.get_bind().dialect.name != "sqlite":
        return 0
    result = session.execute(
        update(InboundMessage)
        .where(InboundMessage.status == "pending", InboundMessage.lease_until.is_not(None))
        .values(lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
