"""The one port between the service and the channel gateway.

The service never imports the gateway: it is given a `Messaging` when the app is
created (feedback_api.main composes them) and hands it to the domain functions that
reach a person or erase what the gateway keeps. Without a gateway (an API-only
deployment, some tests) `NoMessaging` stands in: nothing can be sent, nothing is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from feedback_api.errors import BusinessError

if TYPE_CHECKING:
    from feedback_api.cases.models import Case
    from feedback_api.contacts.models import Contact
    from feedback_api.handoff.models import Handoff


class GatewayUnavailable(BusinessError):
    status_code = 503
    code = "gateway_unavailable"


@dataclass(frozen=True)
class Line:
    """A line of a live chat, as an operator may see it."""

    at: dt.datetime
    direction: str  # "in" | "out"
    text: str | None  # None when masked
    sender: str  # "contact", "bot", "system", "operator:<username>"
    channel: str
    status: str
    # Tied to a case the reader may not see (a disclosure, a restricted outcome).
    masked: bool = False


@dataclass(frozen=True)
class Undelivered:
    """A message to the person that did not and will not go out."""

    at: dt.datetime
    text: str | None
    sender: str
    status: str  # "undeliverable" (no way to reach the person) or "failed"
    reason: str


class Messaging(Protocol):
    available: bool

    def send_text(
        self,
        session: Session,
        contact: Contact,
        text: str,
        *,
        kind: str = "notice",
        sender: str = "system",
        case: Case | None = None,
    ) -> str:
        """Queue a text to the person; its status ("undeliverable": no way to reach them)."""
        ...

    def send_template(
        self,
        session: Session,
        contact: Contact,
        template: str,
        *,
        case: Case | None = None,
        **params: str,
    ) -> None:
        """Queue one of the gateway's sentences, in the person's language."""
        ...

    def ask_satisfaction(self, session: Session, contact: Contact, case: Case) -> None:
        """The 1-5 question after a case is closed; the answer is recorded on the case."""
        ...

    def transcript(
        self,
        session: Session,
        contact: Contact,
        handoff: Handoff,
        may_see: Callable[[int], bool],
    ) -> list[Line]:
        """The live chat: the handoff's messages and the lines just before it."""
        ...

    def undelivered(self, session: Session, case: Case) -> list[Undelivered]:
        """Messages about the case that could not reach the person, and why."""
        ...

    def erase_contact(self, session: Session, contact: Contact) -> None:
        """Delete my data: the person's message texts and their conversation with Rasa."""
        ...

    def erase_case_messages(self, session: Session, case: Case) -> None:
        """An S3 purge: the texts of the disclosure and the replies to it."""
        ...

    def purge_transcripts(self, session: Session, before: dt.datetime) -> int:
        """Retention: conversation texts older than `before` (and Rasa's copies)."""
        ...


class NoMessaging:
    """No gateway: nothing is sent (GatewayUnavailable), nothing is kept to erase."""

    available = False

    def send_text(
        self,
        session: Session,
        contact: Contact,
        text: str,
        *,
        kind: str = "notice",
        sender: str = "system",
        case: Case | None = None,
    ) -> str:
        raise GatewayUnavailable("the message gateway is not available")

    def send_template(
        self,
        session: Session,
        contact: Contact,
        template: str,
        *,
        case: Case | None = None,
        **params: str,
    ) -> None:
        raise GatewayUnavailable("the message gateway is not available")

    def ask_satisfaction(self, session: Session, contact: Contact, case: Case) -> None:
        raise GatewayUnavailable("the message gateway is not available")

    def transcript(
        self,
        session: Session,
        contact: Contact,
        handoff: Handoff,
        may_see: Callable[[int], bool],
    ) -> list[Line]:
        return []

    def undelivered(self, session: Session, case: Case) -> list[Undelivered]:
        return []

    def erase_contact(self, session: Session, contact: Contact) -> None:
        return None

    def erase_case_messages(self, session: Session, case: Case) -> None:
        return None

    def purge_transcripts(self, session: Session, before: dt.datetime) -> int:
        return 0
