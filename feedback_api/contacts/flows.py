"""Delete my data: the contact domain and the case domain together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feedback_api.cases import erasure
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.messaging import Messaging


def delete_my_data(session: Session, contact: Contact, messaging: Messaging) -> int:
    """Erase the person's address, messages and case texts; anonymous case figures stay.

    Returns how many open S3 reports were kept (anonymous), so the person can be told.
    """
    kept = erasure.erase_for_contact(session, contact.id, utcnow())
    messaging.erase_contact(session, contact)
    contacts.erase(session, contact)
    return kept
