"""The knowledge content: both languages, SMS-sized, marked for verification, reloaded live."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from actions.knowledge import MESSAGE_LIMIT, SHORT_LIMIT, KnowledgeBase, sms_units
from actions.triage import TOPIC_OF_INTENT
from tests.bot_actions.apiserver import ROOT

KNOWLEDGE = ROOT / "bot" / "data" / "knowledge"
TOPIC_FILES = [
    path
    for path in sorted(KNOWLEDGE.glob("*.yml"))
    if yaml.safe_load(path.read_text())["kind"] == "topic"
]


def test_every_ask_intent_has_a_topic() -> None:
    knowledge = KnowledgeBase(KNOWLEDGE)
    for intent, code in TOPIC_OF_INTENT.items():
        topic = knowledge.topic_for_intent(intent)
        assert topic is not None, intent
        assert topic.key == code, intent


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.stem)
def test_texts_fit_sms_in_both_languages(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for language in ("fa", "prs"):
        assert sms_units(data["short"][language]) <= SHORT_LIMIT, (language, "short")
        assert data["more"][language], (language, "more is empty")
        for text in data["more"][language]:
            assert sms_units(text) <= MESSAGE_LIMIT, (language, text)
        for province, local in data.get("provinces", {}).items():
            assert sms_units(local[language]) <= SHORT_LIMIT, (language, province)


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.stem)
def test_every_fact_is_marked_for_verification(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in [data, *data.get("provinces", {}).values()]:
        assert {"verified", "source", "last_verified"} <= entry.keys()
        assert entry["source"]
        if not entry["verified"]:
            assert entry["last_verified"] is None


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.stem)
def test_provinces_are_canonical_names(path: Path) -> None:
    from actions import provinces

    for name in yaml.safe_load(path.read_text(encoding="utf-8")).get("provinces", {}):
        assert provinces.canonical(name) == name


def test_labels_exist_in_both_languages() -> None:
    labels = yaml.safe_load((KNOWLEDGE / "labels.yml").read_text(encoding="utf-8"))["labels"]
    for name, values in labels.items():
        assert values.keys() == {"fa", "prs"}, name
    assert {f"weekday_{day}" for day in range(7)} <= labels.keys()


def test_messages_exist_in_both_languages_and_fit_sms() -> None:
    """What the actions say: fa and prs, the same placeholders and button payloads."""
    data = yaml.safe_load((KNOWLEDGE / "messages.yml").read_text(encoding="utf-8"))
    assert data["kind"] == "messages"
    for key, languages in data["messages"].items():
        assert languages.keys() == {"fa", "prs"}, key
        variants = {
            lang: e if isinstance(e, dict) else {"text": e} for lang, e in languages.items()
        }
        fields = {lang: set(re.findall(r"\{(\w+)\}", v["text"])) for lang, v in variants.items()}
        assert fields["fa"] == fields["prs"], key
        payloads = {
            lang: [b["payload"] for b in v.get("buttons", [])] for lang, v in variants.items()
        }
        assert payloads["fa"] == payloads["prs"], key
        for variant in variants.values():
            assert variant["text"], key
            assert sms_units(variant["text"]) <= MESSAGE_LIMIT, (key, variant["text"])
            for button in variant.get("buttons", []):
                assert button["title"] and button["payload"].startswith("/"), key


def test_a_message_is_filled_in_and_falls_back_to_farsi(tmp_path: Path) -> None:
    knowledge = KnowledgeBase(KNOWLEDGE)
    created = knowledge.message("case_created", "prs", reference="1234-5678")
    assert "1234-5678" in created.text and "{" not in created.text
    assert knowledge.message("case_created", "xx", reference="1").text.startswith("ثبت شد")
    consent = knowledge.message("ask_callback_consent", "fa")
    assert len(consent.buttons) == 3


def test_province_details_follow_the_short_answer() -> None:
    knowledge = KnowledgeBase(KNOWLEDGE)
    topic = knowledge.topic_for_intent("ask_health")
    assert topic is not None
    assert len(knowledge.short_answer(topic, "prs", None)) == 1
    local = knowledge.short_answer(topic, "prs", "Tehran")
    assert len(local) == 2
    assert local[1] == topic.provinces["Tehran"]["prs"]


def test_an_edited_file_is_used_without_restart(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory)
    knowledge = KnowledgeBase(directory)
    topic = knowledge.topic_for_intent("ask_wash")
    assert topic is not None
    before = topic.short["fa"]

    path = directory / "wash.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["short"]["fa"] = "متن تازه"
    time.sleep(0.01)  # a distinct modification time even on coarse clocks
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    topic = knowledge.topic_for_intent("ask_wash")
    assert topic is not None
    assert topic.short["fa"] == "متن تازه" != before
