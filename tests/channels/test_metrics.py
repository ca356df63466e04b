"""The gateway feeds the process metrics a deployer watches: turn latency and Rasa errors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channels import turns
from feedback_api.ops import metrics
from tests.channels.conftest import FakeRasa, run
from tests.channels.factories import tg_text
from tests.channels.helpers import post_tg


def _value(name: str, **labels: str) -> float:
    return metrics.PROCESS.get_sample_value(name, labels) or 0.0


def test_an_answered_turn_is_timed_by_channel(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    before = _value("aap_turn_seconds_count", channel="telegram")
    rasa.replies = [{"text": "جواب"}]
    post_tg(client, tg_text(701, "سلام"))
    run(turns.process_pending(session, rasa))
    assert _value("aap_turn_seconds_count", channel="telegram") == before + 1


def test_rasa_down_counts_an_error_and_times_no_turn(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    timed = _value("aap_turn_seconds_count", channel="telegram")
    errors = _value("aap_rasa_errors_total", kind="unavailable")
    rasa.down = True
    post_tg(client, tg_text(702, "سلام"))
    run(turns.process_pending(session, rasa))
    assert _value("aap_rasa_errors_total", kind="unavailable") == errors + 1
    assert _value("aap_turn_seconds_count", channel="telegram") == timed
