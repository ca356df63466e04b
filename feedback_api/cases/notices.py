"""What a person hears about their case without asking: its status as it moves, and the
satisfaction question when the loop is closed.

Only with callback consent, and never for S3 cases: a survivor is contacted by the focal
point in the way they chose, never by an automatic message that someone else may read.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy.orm import Session

import case_reference as references
from feedback_api.cases.models import Case
from feedback_api.cases.state_machine import Status
from feedback_api.contacts.models import Contact
from feedback_api.messaging import GatewayUnavailable, Messaging
from persian_text import catalogue, languages

# Acknowledged, referred, answered and closed after a referral; CLOSED_LOOP asks the
# satisfaction question instead, the other closings are the person's own doing or mean
# we could not reach them.
TOLD = frozenset(
    {Status.ACKNOWLEDGED, Status.REFERRED_EXTERNAL, Status.RESPONDED, Status.CLOSED_REFERRED}
)


def status_labels() -> catalogue.Catalogue:
    """What a person reads about their case's status, by status."""
    return catalogue.load(Path(__file__).with_name("status_labels.yml"), "people")


def category_labels() -> catalogue.Catalogue:
    """What a person reads about the kind of their case, by category."""
    return catalogue.load(Path(__file__).with_name("category_labels.yml"), "people")


def after_status_change(session: Session, messaging: Messaging, case: Case) -> None:
    """The case is changed either way: without a gateway the person just hears nothing."""
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    if contact is None:
        return
    with contextlib.suppress(GatewayUnavailable):
        if case.status == Status.CLOSED_LOOP:
            messaging.ask_satisfaction(session, contact, case)
        elif case.status in TOLD and contact.callback_consent and case.sensitivity != "S3":
            language = languages.registry().pick(contact.language).code
            messaging.send_template(
                session,
                contact,
                "case_status",
                case=case,
                reference=references.display(case.reference),
                status=status_labels().text(case.status, language),
            )
