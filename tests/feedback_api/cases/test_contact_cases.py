"""A person's open cases without the reference: GET /api/v1/bot/contacts/{pseudonym}/cases."""

from __future__ import annotations

import datetime as dt

import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.cases import notices
from feedback_api.taxonomy import load_taxonomy
from tests.factories import make_case, make_contact


def _url(pseudonym: str) -> str:
    return f"/api/v1/bot/contacts/{pseudonym}/cases"


def test_only_this_contacts_open_cases_most_recent_first(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    person, other = make_contact(session), make_contact(session)
    older = make_case(session, contact=person, category="CMN")
    newer = make_case(session, contact=person, category="SUG")
    closed = make_case(session, contact=person)
    make_case(session, contact=other)
    older.updated_at -= dt.timedelta(days=2)
    closed.status = "CLOSED_LOOP"
    newer.status = "IN_PROGRESS"
    session.commit()

    answer = client.get(_url(person.pseudonym), headers=service_headers)
    assert answer.status_code == 200
    listed = answer.json()
    assert [case["reference"] for case in listed["cases"]] == [newer.reference, older.reference]
    first = listed["cases"][0]
    assert first["reference_display"] == f"{newer.reference[:4]}-{newer.reference[4:]}"
    assert (first["status_label"], first["category_label"]) == ("در حال پیگیری است", "پیشنهاد")
    assert "description" not in first


def test_labels_follow_the_asked_or_stored_language(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    person = make_contact(session)
    make_case(session, contact=person, category="INF")
    nothing_chosen = client.get(_url(person.pseudonym), headers=service_headers).json()
    assert nothing_chosen["language"] == "fa"
    person.language = "prs"
    session.commit()
    listed = client.get(_url(person.pseudonym), headers=service_headers).json()
    assert listed["language"] == "prs"
    assert listed["cases"][0]["category_label"] == "درخواست معلومات"
    asked = client.get(_url(person.pseudonym), params={"language": "fa"}, headers=service_headers)
    assert asked.json()["cases"][0]["category_label"] == "درخواست اطلاعات"


def test_a_sensitive_report_is_listed_without_saying_what_it_is(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    person = make_contact(session)
    make_case(session, contact=person, category="SEA", description=None)
    make_case(session, contact=person, category="FRD", description=None)
    listed = client.get(_url(person.pseudonym), headers=service_headers).json()["cases"]
    assert [case["category_label"] for case in listed] == ["گزارش محرمانه"] * 2


def test_an_unknown_contact_has_no_cases_and_is_not_created(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    unknown = "a" * 26
    answer = client.get(_url(unknown), headers=service_headers)
    assert answer.status_code == 200
    assert answer.json() == {"language": "fa", "cases": []}
    from feedback_api.contacts import service as contacts

    assert contacts.find(session, unknown) is None


def test_the_list_needs_the_service_token(client: TestClient, session: Session) -> None:
    assert client.get(_url("a" * 26)).status_code == 401
    assert client.get(_url("NOT-A-PSEUDONYM")).status_code in (401, 422)


def test_every_category_has_a_label_for_people_and_sensitive_ones_read_alike() -> None:
    labels = notices.category_labels()
    taxonomy = load_taxonomy()
    assert labels.keys() == list(taxonomy.categories)
    for code in labels:
        words = labels.entry(code)
        assert words.keys() == {"fa", "prs"} and all(words.values()), code
    sensitive = {
        code for code, category in taxonomy.categories.items() if category.sensitivity.rank >= 2
    }
    assert sensitive == {"SEA", "CSG", "FRD", "MIS", "SAF", "DPB"}
    assert len({yaml.safe_dump(dict(labels.entry(code))) for code in sensitive}) == 1
