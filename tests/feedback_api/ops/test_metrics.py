"""/metrics: Prometheus' format, for loopback or the metrics token, figures that move."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.orm import Session

from channels.models import InboundMessage, OutboxMessage
from feedback_api.db import utcnow
from feedback_api.handoff.models import Handoff
from feedback_api.ops.metrics import count_rasa_error, observe_turn
from feedback_api.settings import get_settings
from tests.factories import make_case, make_contact

FAMILIES = {
    "aap_inbound_messages",
    "aap_outbound_messages",
    "aap_queue_depth",
    "aap_queue_oldest_age_seconds",
    "aap_handoff_waiting",
    "aap_handoff_oldest_wait_seconds",
    "aap_cases_created",
    "aap_cases_overdue",
    "aap_turn_seconds",
    "aap_rasa_errors",
}
TOKEN = "a-metrics-token-for-the-tests"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def metrics_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(get_settings(), "metrics_token", SecretStr(TOKEN))
    return TOKEN


@pytest.fixture
def remote(client: TestClient) -> TestClient:
    """The same app (its lifespan not started: no workers), asked from the internet."""
    return TestClient(client.app, client=("203.0.113.7", 40000))


@pytest.fixture
def local(client: TestClient) -> TestClient:
    return TestClient(client.app, client=("127.0.0.1", 40000))


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_refused_from_the_internet_without_the_token(
    remote: TestClient, metrics_token: str
) -> None:
    assert remote.get("/metrics").status_code == 403
    wrong = remote.get("/metrics", headers={"Authorization": "Bearer guessed"})
    assert wrong.status_code == 403
    assert "aap_" not in wrong.text


def test_refused_from_the_internet_when_no_token_is_set(remote: TestClient) -> None:
    assert get_settings().metrics_token is None  # tests set none: loopback only
    assert remote.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403


def test_the_token_opens_it_from_anywhere(remote: TestClient, metrics_token: str) -> None:
    samples = scrape(remote, Authorization=f"Bearer {metrics_token}")
    assert {name for name, _ in samples} >= {"aap_queue_depth", "aap_handoff_waiting"}


def test_loopback_needs_no_token(local: TestClient) -> None:
    scrape(local)


def test_loopback_through_a_reverse_proxy_is_not_loopback(local: TestClient) -> None:
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        assert local.get("/metrics", headers={header: "203.0.113.7"}).status_code == 403


def test_every_named_family_is_exposed(local: TestClient) -> None:
    response = local.get("/metrics")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert names >= FAMILIES


def test_queues_and_messages_follow_the_database(local: TestClient, session: Session) -> None:
    before = scrape(local)
    contact = make_contact(session, "telegram", address="5550001")
    session.add(
        InboundMessage(
            channel="telegram",
            transport="telegram",
            external_id="metrics-1",
            contact_id=contact.id,
            text="hello",
            status="pending",
            received_at=utcnow() - dt.timedelta(minutes=3),
        )
    )
    session.add(OutboxMessage(contact_id=contact.id, channel="sms", transport="twilio"))
    session.add(Handoff(contact_id=contact.id, requested_at=utcnow() - dt.timedelta(minutes=2)))
    session.commit()
    after = scrape(local)
    inbound = {"channel": "telegram", "transport": "telegram", "status": "pending"}
    assert (
        value(after, "aap_inbound_messages", **inbound)
        == value(before, "aap_inbound_messages", **inbound) + 1
    )
    outbound = {"channel": "sms", "transport": "twilio", "status": "queued"}
    assert (
        value(after, "aap_outbound_messages", **outbound)
        == value(before, "aap_outbound_messages", **outbound) + 1
    )
    for queue in ("inbound", "outbox"):
        assert value(after, "aap_queue_depth", queue=queue) == (
            value(before, "aap_queue_depth", queue=queue) + 1
        )
    assert value(after, "aap_queue_oldest_age_seconds", queue="inbound") >= 180
    assert value(after, "aap_handoff_waiting") == value(before, "aap_handoff_waiting") + 1
    assert value(after, "aap_handoff_oldest_wait_seconds") >= 120


def test_cases_counted_by_category_code_and_restricted_ones_without_it(
    local: TestClient, session: Session
) -> None:
    before = scrape(local)
    make_case(session, category="CMN")
    make_case(session, category="SEA", description="what happened, in the person's words")
    response = local.get("/metrics")
    after = scrape(local)
    assert value(after, "aap_cases_created_total", category="CMN", sensitivity="S1") == (
        value(before, "aap_cases_created_total", category="CMN", sensitivity="S1") + 1
    )
    restricted = {"category": "restricted", "sensitivity": "S3"}
    assert value(after, "aap_cases_created_total", **restricted) == (
        value(before, "aap_cases_created_total", **restricted) + 1
    )
    assert "SEA" not in response.text
    assert "person's words" not in response.text


def test_an_overdue_case_shows(local: TestClient, session: Session) -> None:
    case = make_case(session, category="CMN")
    before = scrape(local)
    case.ack_due_at = utcnow() - dt.timedelta(hours=1)
    session.commit()
    after = scrape(local)
    labels = {"category": "CMN", "sensitivity": "S1"}
    assert value(after, "aap_cases_overdue", **labels) == (
        value(before, "aap_cases_overdue", **labels) + 1
    )


def test_turns_and_rasa_errors_of_this_process(local: TestClient) -> None:
    before = scrape(local)
    observe_turn("telegram", 0.3)
    count_rasa_error("timeout")
    count_rasa_error("HTTP 503 from http://10.0.0.5:5005")  # never a label
    after = scrape(local)
    assert value(after, "aap_turn_seconds_count", channel="telegram") == (
        value(before, "aap_turn_seconds_count", channel="telegram") + 1
    )
    assert value(after, "aap_turn_seconds_bucket", channel="telegram", le="0.5") == (
        value(before, "aap_turn_seconds_bucket", channel="telegram", le="0.5") + 1
    )
    assert value(after, "aap_rasa_errors_total", kind="timeout") == (
        value(before, "aap_rasa_errors_total", kind="timeout") + 1
    )
    assert value(after, "aap_rasa_errors_total", kind="other") == (
        value(before, "aap_rasa_errors_total", kind="other") + 1
    )
    assert "10.0.0.5" not in local.get("/metrics").text
