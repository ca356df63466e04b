"""Case work that reaches beyond the case: telling the person, logging a hotline call.

Called the same way from every door (console, staff API); business errors carry their
HTTP status and a `code` the console turns into its own sentence.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseCreate
from feedback_api.contacts import phones
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.errors import Conflict, Unprocessable
from feedback_api.messaging import Messaging
from feedback_api.users.models import User


def send_outcome(
    session: Session,
    messaging: Messaging,
    case: Case,
    text: str,
    *,
    user: User,
    close: bool = False,
) -> None:
    """Closing the loop: tell the person the outcome, and optionally close the case.

    Raises Conflict `no_contact` (no way to reach the person), `undeliverable` (kept in
    the outbox as such, the loop stays open) or `illegal_transition` (sent, not closed),
    and GatewayUnavailable (503). What was sent before an error stays sent.
    """
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    if contact is None or contacts.address_of(contact) is None:
        raise Conflict("the person cannot be reached", code="no_contact")
    sender = f"operator:{user.username}"
    status = messaging.send_text(session, contact, text, kind="operator", sender=sender, case=case)
    if status == "undeliverable":
        raise Conflict("the message cannot reach the person", code="undeliverable")
    cases.add_message(session, case, "out", text, actor=f"user:{user.username}", user=user)
    if close:
        cases.close_loop(session, case, user=user, messaging=messaging)


def log_phone_call(
    session: Session, data: CaseCreate, *, user: User, number: str = "", consent: bool = False
) -> Case:
    """A hotline call as a case; the caller's number only with consent, kept in the vault.

    Raises Unprocessable `number_needs_consent` or `bad_number`.
    """
    contact = None
    if number:
        if not consent:
            raise Unprocessable("a number is kept only with consent", code="number_needs_consent")
        e164 = phones.e164(number)
        if e164 is None:
            raise Unprocessable("not a phone number", code="bad_number")
        contact = contacts.ensure_contact(session, "phone", e164)
        contact.language = data.language
        contacts.set_consent(session, contact, True, data.preferred_operator_gender)
    case, _created = cases.create_case(
        session, data, actor=f"user:{user.username}", contact=contact, user=user
    )
    return case
