"""Erasing a person's conversation from Rasa's SQL tracker store.

Rasa keeps every message text of a conversation under the contact's pseudonym
and has no API to delete one; with RASA_TRACKER_STORE_URL set, a deletion
request removes those rows too. (Rasa's default in-memory store keeps nothing
on disk.)
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from feedback_api.contacts.models import Contact
from feedback_api.settings import get_settings


@lru_cache
def _engine(url: str) -> Engine:
    return create_engine(url)


def erase_conversation(_session: Session, contact: Contact) -> None:
    url = get_settings().rasa_tracker_store_url
    if not url:
        return
    # Rasa's SQLTrackerStore: one table `events`, keyed by the sender id.
    with _engine(url).begin() as connection:
        connection.execute(
            text("DELETE FROM events WHERE sender_id = :sender"), {"sender": contact.pseudonym}
        )
