"""Messages to a person outside a conversation (a late reference, a case update).

The channel layer registers the sender when it is mounted; the API alone
(tests, a deployment without channels) just records that nothing was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from feedback_api.contacts.models import Contact

log = logging.getLogger(__name__)

Sender = Callable[[Session, Contact, str, dict[str, str]], None]
_senders: list[Sender] = []


def register_sender(sender: Sender) -> None:
    if sender not in _senders:
        _senders.append(sender)


def send(session: Session, contact: Contact, template: str, **params: str) -> bool:
    """Queue the text `template` (a key of the channel texts) for the contact."""
    if not _senders:
        log.debug("no channel sender registered; %s not sent", template)
        return False
    for sender in _senders:
        sender(session, contact, template, params)
    return True
