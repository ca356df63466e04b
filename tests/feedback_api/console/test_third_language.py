"""A third language registered by data only (tests/third_language.py): the console is
shown in it, and an operator closes the loop with its ready text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import login_as, make_case, make_contact, make_user
from tests.third_language import written_pashto


@pytest.mark.usefixtures("pashto")
def test_the_console_speaks_pashto_and_offers_pashto_ready_texts(
    client: TestClient, session: Session
) -> None:
    contact = make_contact(session, "sms")
    contact.language = "ps"
    case = make_case(session, contact=contact, language="ps")
    login_as(client, make_user(session, "operator"))
    switched = client.get("/console/lang/ps", params={"next": "/console/"}, follow_redirects=False)
    assert switched.cookies.get("aap_lang") == "ps"
    queue = client.get("/console/").text
    assert '<html lang="ps" dir="rtl">' in queue
    assert written_pashto("feedback_api/console/texts/ui.yml", "nav.queue") in queue
    assert 'href="/console/lang/en' in queue and 'href="/console/lang/fa' in queue

    page = client.get(f"/console/cases/{case.reference}").text
    ready = written_pashto("feedback_api/console/texts/closing.yml", "resolved")
    shown = ready.replace("{ref}", f"{case.reference[:4]}-{case.reference[4:]}")
    assert f'<option value="{shown}" data-preferred>پښتو: حل شو</option>' in page


def test_an_unregistered_language_leaves_the_console_as_it_was(
    client: TestClient, session: Session
) -> None:
    login_as(client, make_user(session, "operator"))
    switched = client.get("/console/lang/ps", follow_redirects=False)
    assert "aap_lang" not in switched.cookies
    assert '<html lang="fa" dir="rtl">' in client.get("/console/").text
