"""Retention (docs/domain.md §2.5), enforced: a scheduled purge per data class.

- conversation texts (channel messages, Rasa's copy): 90 days, or 90 days after
  their case closed (RETENTION_TRANSCRIPT_DAYS);
- the address vault: until 30 days after the person's last case closed
  (FOLLOWUP_RETENTION_DAYS_AFTER_CLOSE);
- S0/S1 cases, contact link and free text: 12 months after closing
  (RETENTION_CASE_DAYS);
- S2 case content: until the case is closed, i.e. the referral is confirmed
  (RETENTION_RESTRICTED_DAYS after closing, 0 by default);
- S3 case content: until the case is closed, whatever the closing status.

What is purged goes; a stub stays (dates, category, status), so anonymous figures
still count. Each run is audited with its counts, and the data protection
officer sees them in the console (/console/retention).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_api.audit import service as audit
from feedback_api.cases import erasure
from feedback_api.cases.models import Case
from feedback_api.cases.state_machine import CLOSED
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact, VaultEntry
from feedback_api.db import get_sessionmaker, utcnow
from feedback_api.messaging import Messaging
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)

AUDIT_ACTION = "retention.run"
CLOSED_VALUES = tuple(status.value for status in CLOSED)


@dataclass(frozen=True)
class Horizons:
    """The cut-off times of one run: data older than these goes."""

    transcripts: dt.datetime
    vault_after_close: dt.timedelta
    cases: dt.datetime
    restricted: dt.datetime

    @classmethod
    def now(cls, now: dt.datetime | None = None) -> Horizons:
        settings = get_settings()
        now = now or utcnow()
        return cls(
            transcripts=now - dt.timedelta(days=settings.retention_transcript_days),
            vault_after_close=dt.timedelta(days=settings.followup_retention_days_after_close),
            cases=now - dt.timedelta(days=settings.retention_case_days),
            restricted=now - dt.timedelta(days=settings.retention_restricted_days),
        )


def _restricted_content(
    session: Session, horizons: Horizons, now: dt.datetime, messaging: Messaging
) -> int:
    """S3 content once closed (any closing status), S2 content once closed past its horizon."""
    closed = session.scalars(
        select(Case).where(
            Case.status.in_(CLOSED_VALUES),
            Case.content_purged_at.is_(None),
            (Case.sensitivity == "S3")
            | ((Case.sensitivity == "S2") & (Case.closed_at < horizons.restricted)),
        )
    ).all()
    for case in closed:
        erasure.purge_content(session, case, now, messaging)
    return len(closed)


def _old_cases(session: Session, horizons: Horizons, now: dt.datetime, messaging: Messaging) -> int:
    """S0/S1 a year after closing: no contact link and no free text any more."""
    old = session.scalars(
        select(Case).where(
            Case.status.in_(CLOSED_VALUES),
            Case.closed_at < horizons.cases,
            Case.sensitivity.in_(("S0", "S1")),
            Case.content_purged_at.is_(None),
        )
    ).all()
    for case in old:
        erasure.purge_content(session, case, now, messaging)
        case.contact_id = None
    return len(old)


def _vault(session: Session, horizons: Horizons, now: dt.datetime) -> int:
    """Addresses go when their time is up, and at the latest some days after the person's
    last case closed (a case closed early should not keep the number until its due date)."""
    last_closed = (
        select(Case.contact_id, func.max(Case.closed_at).label("closed"))
        .where(Case.contact_id.is_not(None))
        .group_by(Case.contact_id)
        .having(func.count() == func.count(Case.closed_at))
        .subquery()
    )
    for entry, closed in session.execute(
        select(VaultEntry, last_closed.c.closed).join(
            last_closed, VaultEntry.contact_id == last_closed.c.contact_id
        )
    ).tuples():
        if closed is not None:
            entry.retain_until = min(entry.retain_until, closed + horizons.vault_after_close)
    session.flush()
    return contacts.purge_expired_addresses(session)


def run(session: Session, messaging: Messaging, now: dt.datetime | None = None) -> dict[str, int]:
    """One purge of every data class; audited. The caller commits."""
    now = now or utcnow()
    horizons = Horizons.now(now)
    counts = {
        "restricted_cases": _restricted_content(session, horizons, now, messaging),
        "old_cases": _old_cases(session, horizons, now, messaging),
        "addresses": _vault(session, horizons, now),
        "transcripts": messaging.purge_transcripts(session, horizons.transcripts),
    }
    audit.record(session, user=None, actor="system:retention", action=AUDIT_ACTION, **counts)
    log.info("retention run: %s", counts)
    return counts


def run_once(messaging: Messaging) -> dict[str, int]:
    with get_sessionmaker()() as session:
        counts = run(session, messaging)
        session.commit()
    return counts


def stale_contacts(session: Session, before: dt.datetime) -> list[Contact]:
    """Contacts not heard from since `before` whose conversation was not purged yet."""
    return list(
        session.scalars(
            select(Contact).where(
                Contact.last_seen_at < before,
                (Contact.transcript_purged_at.is_(None))
                | (Contact.transcript_purged_at < Contact.last_seen_at),
            )
        )
    )


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Purge at start and then every RETENTION_INTERVAL_HOURS, in a worker thread."""
    interval = get_settings().retention_interval_hours * 3600

    async def loop() -> None:
        while True:
            try:
                await asyncio.to_thread(run_once, app.state.messaging)
            except Exception:
                log.exception("retention run failed; trying again at the next interval")
            await asyncio.sleep(interval)

    task = asyncio.create_task(loop(), name="retention")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
