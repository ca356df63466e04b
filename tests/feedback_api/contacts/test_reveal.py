"""A case's contact as staff see it: masked, and unmasked only by the assigned operator."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_api.audit.models import AuditEntry
from feedback_api.cases import service as cases
from feedback_api.contacts import service as contacts
from feedback_api.errors import NotFound
from tests.factories import make_case, make_contact, make_user

NUMBER = "+989121234567"


def _reveals(session: Session) -> list[tuple[int | None, int | None]]:
    return list(
        session.execute(
            select(AuditEntry.user_id, AuditEntry.case_id).where(
                AuditEntry.action == "contact.reveal"
            )
        ).tuples()
    )


def test_numbers_are_masked() -> None:
    assert contacts.mask(NUMBER) == "+989•••••••67"
    assert contacts.mask("12345") == "•••45"
    assert contacts.mask(None) == ""


def test_only_the_assigned_operator_or_manager_unmasks_and_each_reveal_is_audited(
    session: Session,
) -> None:
    contact = make_contact(session, "sms", NUMBER)
    contacts.set_consent(session, contact, True, None)
    case = make_case(session, contact=contact)
    staff = make_user(session, "accountability_staff")
    operator = make_user(session, "operator")
    for user in (staff, operator):
        with pytest.raises(NotFound) as refused:  # not assigned (staff never may)
            contacts.reveal(session, user, case)
        assert refused.value.status_code == 404
    cases.assign(session, case, staff.username, user=staff)
    with pytest.raises(NotFound):
        contacts.reveal(session, staff, case)
    assert _reveals(session) == []
    cases.assign(session, case, operator.username, user=operator)
    view = contacts.view_for(operator, case, contact)
    assert view is not None and view.can_reveal and view.masked == "+989•••••••67"
    assert contacts.reveal(session, operator, case) == NUMBER
    assert _reveals(session) == [(operator.id, case.id)]


def test_no_number_without_consent_or_on_a_restricted_case(session: Session) -> None:
    manager = make_user(session, "cfm_manager")
    silent = make_contact(session, "sms", NUMBER)
    plain = make_case(session, contact=silent)
    consenting = make_contact(session, "sms", "+989122222222")
    contacts.set_consent(session, consenting, True, None)
    restricted = make_case(session, category="FRD", contact=consenting)
    for case, contact, reason in (
        (plain, silent, "no_consent"),
        (restricted, consenting, "restricted"),
    ):
        cases.assign(session, case, manager.username, user=manager)
        view = contacts.view_for(manager, case, contact)
        assert view is not None and view.reason == reason and not view.can_reveal
        with pytest.raises(NotFound):
            contacts.reveal(session, manager, case)
    assert contacts.view_for(manager, restricted, consenting).masked == ""  # type: ignore[union-attr]
    assert _reveals(session) == []
