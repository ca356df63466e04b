"""A third language registered by data only (tests/third_language.py): the actions
speak it, from a knowledge folder that has its texts, with no code change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.session import ActionSessionStart
from actions.status import ActionAskCaseReference
from persian_text import languages
from tests.bot_actions.apiserver import ROOT, ApiServer
from tests.bot_actions.conftest import make_tracker, run, slot_events
from tests.third_language import CODE, FIXTURE, stand_in, write_registry


def _with_pashto(folder: Path) -> Path:
    """A copy of the knowledge folder whose messages have Pashto texts (written or stand-ins)."""
    shutil.copytree(ROOT / "bot" / "data" / "knowledge", folder)
    path = folder / "messages.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    written = yaml.safe_load((FIXTURE / "knowledge" / "messages.yml").read_text(encoding="utf-8"))
    for key, entry in data["messages"].items():
        for variants in (entry, entry.get("sms")):
            if variants is None:
                continue
            farsi = variants["fa"]
            variants[CODE] = written.get(key) or (
                stand_in(farsi)
                if isinstance(farsi, str)
                else {**farsi, "text": stand_in(farsi["text"])}
            )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture
def pashto(
    api: ApiServer, configure: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    from actions import runtime, settings

    configure(api)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(_with_pashto(tmp_path / "knowledge")))
    (tmp_path / "registry").mkdir()
    monkeypatch.setenv(languages.ENV_VAR, str(write_registry(tmp_path / "registry")))
    settings.get_settings.cache_clear()
    runtime.services.cache_clear()
    yield runtime.services()
    languages.use(languages.DEFAULT_FILE)


def _written(key: str) -> str:
    data = yaml.safe_load((FIXTURE / "knowledge" / "messages.yml").read_text(encoding="utf-8"))
    return str(data[key])


@pytest.mark.usefixtures("pashto")
def test_a_person_guessed_to_write_pashto_is_answered_in_it_and_offered_farsi() -> None:
    metadata = {"channel": "telegram", "language_guess": CODE}
    tracker = make_tracker(slots={"session_started_metadata": metadata, "language": None})
    events, _ = run(ActionSessionStart(), tracker)
    assert slot_events(events)["language"] == CODE
    assert slot_events(events)["language_offer"] == "fa"

    _, messages = run(ActionAskCaseReference(), make_tracker(slots={"language": CODE}))
    assert [m["text"] for m in messages] == [_written("ask_case_reference")]


def test_without_the_registry_pashto_is_not_a_language(services: Any) -> None:
    metadata = {"channel": "telegram", "language_guess": CODE}
    tracker = make_tracker(slots={"session_started_metadata": metadata, "language": None})
    events, _ = run(ActionSessionStart(), tracker)
    assert slot_events(events)["language"] == "fa"
