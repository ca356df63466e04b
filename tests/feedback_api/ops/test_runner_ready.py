"""`make run` says in one line when the assistant can answer (feedback_api/runner.py)."""

from __future__ import annotations

from typing import Any

import pytest

from feedback_api.runner import announce_when_ready
from tests.stubs.base import Reply, Stub


def test_make_run_says_what_it_waits_for_then_that_the_assistant_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = iter([503, 503])

    def ready(method: str, path: str, params: dict[str, Any]) -> Reply:
        status = next(answers, 200)
        state = "ready" if status == 200 else "loading"
        return status, {"components": {"database": "ready", "rasa-1": state}}

    stub = Stub(ready)
    url = stub.start()
    try:
        assert announce_when_ready(f"{url}/ready", every=0.01, remind_after=0)
    finally:
        stub.stop()
    lines = capsys.readouterr().out.splitlines()
    assert "Not ready yet: rasa-1 loading" in lines
    assert lines[-1].startswith("Ready: the assistant answers now")


def test_make_run_says_when_the_assistant_never_came(capsys: pytest.CaptureFixture[str]) -> None:
    stub = Stub(lambda method, path, params: (503, {"components": {"action_server": "down"}}))
    url = stub.start()
    try:
        assert not announce_when_ready(f"{url}/ready", every=0.01, give_up_after=0.1)
    finally:
        stub.stop()
    assert "still not ready" in capsys.readouterr().out
