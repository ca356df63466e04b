"""What goes when case content must go: the S3 purge on closing, and "delete my data".

Only redaction may touch the timeline (the database refuses anything else): a body is
blanked and the moment recorded, the entry itself stays.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case, TimelineEntry
from feedback_api.cases.state_machine import CLOSED
from feedback_api.messaging import Messaging


def purge_content(session: Session, case: Case, now: dt.datetime, messaging: Messaging) -> None:
    """S3 once closed (referred, or a duplicate): only a stub stays (date, category,
    referral), and the channel texts of the disclosure go too."""
    case.description = None
    case.referral = None
    case.content_purged_at = now
    for entry in case.timeline:
        _redact(entry, now)
    messaging.erase_case_messages(session, case)


REMOVED_ON_REQUEST = "request"


def _redact(entry: TimelineEntry, now: dt.datetime, reason: str | None = None) -> None:
    if entry.body is None:
        return
    entry.body = None
    entry.redacted_at = now
    if reason:
        entry.data = {**entry.data, "redacted": reason}


def erase_for_contact(session: Session, contact_id: str, now: dt.datetime) -> int:
    """Delete my data, in the person's cases: descriptions, messages, staff notes, status
    reasons and referral texts go (notes and reasons leave a "removed on request" mark, so
    the data protection officer still sees they existed); the cases stay anonymous.

    An open S3 report is kept, anonymous: it is the person's disclosure, still on its way
    to the focal point. Returns how many such reports were kept.
    """
    kept = 0
    for case in session.scalars(select(Case).where(Case.contact_id == contact_id)):
        report = case.sensitivity == "S3" and case.status not in CLOSED
        kept += report
        for entry in case.timeline:
            _redact(entry, now, REMOVED_ON_REQUEST)
        if not report:
            case.description = None
            case.content_purged_at = now
        case.referral = None
        case.contact_id = None
        case.updated_at = now
    session.flush()
    return kept
