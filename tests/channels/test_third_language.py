"""A third language registered by data only (tests/third_language.py): the gateway
speaks it to a person who chose it, and SMS renders its menus."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from channels import gateway, render, texts
from persian_text import languages
from tests.channels.helpers import outbox_rows
from tests.factories import make_case, make_contact
from tests.third_language import written_pashto

MESSAGES = "channels/texts/messages.yml"


@pytest.mark.usefixtures("pashto")
def test_the_gateway_asks_satisfaction_in_pashto_and_sms_numbers_the_menu(
    session: Session,
) -> None:
    contact = make_contact(session, "sms")
    contact.language = "ps"
    case = make_case(session, contact=contact, language="ps")
    gateway.ask_satisfaction(session, contact, case)
    [row] = outbox_rows(session, contact)
    question = written_pashto(MESSAGES, "satisfaction_question")
    assert row.text == question
    rendered = render.sms_menu(row.text or "", row.buttons or [], contact.language)
    assert rendered.splitlines() == [
        question,
        "۱. ۱ ډېر لږ",
        "۲. ۲ لږ",
        "۳. ۳ منځنی",
        "۴. ۴ ډېر",
        "۵. ۵ ډېر زیات",
    ]
    assert texts.is_language("ps")
    assert texts.text("received_ack", "ps") == written_pashto(MESSAGES, "received_ack")


def test_without_the_fixture_pashto_is_not_a_language_and_reads_farsi() -> None:
    assert not texts.is_language("ps")
    assert languages.registry().pick("ps").code == "fa"
    assert texts.text("received_ack", "ps") == texts.text("received_ack", "fa")
