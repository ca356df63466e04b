"""The knowledge content: both languages, SMS-sized and link-free on SMS, marked for
verification, reloaded live."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.knowledge import SHORT_SEGMENTS, KnowledgeBase, localized
from persian_text import sms
from tests.bot_actions.apiserver import ROOT
from tests.bot_actions.test_domain import DOMAIN

KNOWLEDGE = ROOT / "bot" / "data" / "knowledge"
DATA = {path.stem: yaml.safe_load(path.read_text()) for path in sorted(KNOWLEDGE.glob("*.yml"))}
TOPIC_FILES = [
    path for path in sorted(KNOWLEDGE.glob("*.yml")) if DATA[path.stem]["kind"] == "topic"
]
# A domain name, the way a link reads in a message ("kanoonnobat.ir", "weareallin.iom.int").
LINK = re.compile(r"https?://|www\.|[a-z0-9-]+\.(ir|com|org|int|net)\b", re.IGNORECASE)
TAXONOMY = yaml.safe_load((ROOT / "feedback_api" / "taxonomy" / "taxonomy.yml").read_text())
ANSWERED_ELSEWHERE = {"ask_privacy", "ask_service_points"}  # a response, the directory


def _variants(entry: dict[str, Any]) -> dict[str, Any]:
    """(channel, language) -> value: the default texts and the SMS ones."""
    found = {("telegram", lang): localized(entry, lang, "telegram") for lang in ("fa", "prs")}
    found |= {("sms", lang): localized(entry, lang, "sms") for lang in ("fa", "prs")}
    return found


def test_every_ask_intent_has_a_topic_with_a_taxonomy_topic_for_cases() -> None:
    knowledge = KnowledgeBase(KNOWLEDGE)
    asked = {i for i in DOMAIN["intents"] if i.startswith("ask_")} - ANSWERED_ELSEWHERE
    assert {"ask_return", "ask_staff_conduct", "ask_labour_migration"} <= asked
    keys = set()
    for intent in sorted(asked):
        topic = knowledge.topic_for_intent(intent)
        assert topic is not None, intent
        assert topic.case_topic in TAXONOMY["topics"], intent
        keys.add(topic.key)
    assert len(keys) == len(asked)  # "more" finds the topic by its key


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.stem)
def test_texts_fit_sms_in_both_languages(path: Path) -> None:
    data = DATA[path.stem]
    for (channel, language), short in _variants(data["short"]).items():
        assert short and sms.fits(short, SHORT_SEGMENTS), (channel, language, "short")
    for (channel, language), more in _variants(data["more"]).items():
        assert more, (channel, language, "more is empty")
        for text in more:
            assert sms.fits(text), (channel, language, text)
    for province, local in data.get("provinces", {}).items():
        for key, text in _variants(local).items():
            assert sms.fits(text, SHORT_SEGMENTS), (key, province)
    for button in data.get("buttons", []):
        assert button["title"].keys() == {"fa", "prs"} and button["payload"].startswith("/")


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [
            t for key, item in value.items() if key in ("fa", "prs", "text") for t in _texts(item)
        ]
    return []


def test_nothing_sent_by_sms_has_a_link() -> None:
    """Links are filtered in Iranian SMS: the SMS wording of a text drops them."""
    sent: list[str] = []
    for data in DATA.values():
        if data["kind"] == "topic":
            entries = [data["short"], data["more"], *data.get("provinces", {}).values()]
        elif data["kind"] == "messages":
            entries = list(data["messages"].values())
        elif data["kind"] == "service_points":
            entries = [
                e[f]
                for es in data["provinces"].values()
                for e in es
                for f in ("name", "services", "address")
                if e[f]
            ]
        else:
            entries = []
        for entry in entries:
            sent += [t for lang in ("fa", "prs") for t in _texts(localized(entry, lang, "sms"))]
    assert len(sent) > 100
    assert [text for text in sent if LINK.search(text)] == []
    # The links are still given where they are not filtered.
    assert "kanoonnobat.ir" in DATA["documentation"]["short"]["fa"]


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.stem)
def test_every_fact_is_marked_for_verification(path: Path) -> None:
    data = DATA[path.stem]
    assert path.read_text().startswith("# SAMPLE CONTENT - TO BE VERIFIED BY IOM STAFF")
    for entry in [data, *data.get("provinces", {}).values()]:
        assert {"verified", "source", "last_verified"} <= entry.keys()
        assert entry["source"]
        if not entry["verified"]:
            assert entry["last_verified"] is None


def test_service_points_are_sample_entries_per_province() -> None:
    from actions import provinces

    path = KNOWLEDGE / "service_points.yml"
    assert path.read_text().startswith("# SAMPLE CONTENT - TO BE VERIFIED BY IOM STAFF")
    directory = DATA["service_points"]["provinces"]
    assert len(directory) >= 4
    for province, entries in directory.items():
        assert provinces.canonical(province) == province
        for entry in entries:
            assert {"name", "services", "address", "hours", "phone"} <= entry.keys()
            assert {"verified", "source", "last_verified"} <= entry.keys() and entry["source"]
            for field in ("name", "services", "address", "hours"):
                assert entry[field] is None or entry[field].keys() == {"fa", "prs"}, field
            if not entry["verified"]:
                assert entry["last_verified"] is None


def test_an_unverified_service_point_is_starred_on_one_short_line() -> None:
    knowledge = KnowledgeBase(KNOWLEDGE)
    [unhcr, *_] = knowledge.service_points("Tehran")
    line = knowledge.service_point_line(unhcr, "prs")
    assert line.startswith("- *دفتر UNHCR تهران: ")  # the heading says what * means
    assert "* یعنی تأیید نشده" in knowledge.message("service_points", "prs", province="x").text
    assert "+98 21 8821 2520" in line and "تیلفون" in line
    assert sms.fits(line, SHORT_SEGMENTS)


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.stem)
def test_provinces_are_canonical_names(path: Path) -> None:
    from actions import provinces

    for name in DATA[path.stem].get("provinces", {}):
        assert provinces.canonical(name) == name


def test_labels_exist_in_both_languages() -> None:
    labels = DATA["labels"]["labels"]
    for name, values in labels.items():
        assert values.keys() == {"fa", "prs"}, name
    assert {f"weekday_{day}" for day in range(7)} <= labels.keys()


def test_messages_exist_in_both_languages_and_fit_sms() -> None:
    """What the actions say: fa and prs (and their SMS wording), the same placeholders
    everywhere and the same button payloads in both languages."""
    for key, entry in DATA["messages"]["messages"].items():
        assert entry.keys() - {"urgent", "sms"} == {"fa", "prs"}, key
        assert entry.get("sms", {"fa": 1, "prs": 1}).keys() == {"fa", "prs"}, key
        variants = {
            where: v if isinstance(v, dict) else {"text": v}
            for where, v in _variants(entry).items()
        }
        fields = {where: set(re.findall(r"\{(\w+)\}", v["text"])) for where, v in variants.items()}
        assert len({frozenset(f) for f in fields.values()}) == 1, key
        payloads = {
            where: [b["payload"] for b in v.get("buttons", [])] for where, v in variants.items()
        }
        # The SMS menu has other buttons (its sub-menus); the languages never differ.
        for channel in ("telegram", "sms"):
            assert payloads[(channel, "fa")] == payloads[(channel, "prs")], (key, channel)
        for variant in variants.values():
            assert variant["text"], key
            assert sms.fits(variant["text"]), (key, variant["text"])
            for button in variant.get("buttons", []):
                assert button["title"] and button["payload"].startswith("/"), key


def test_a_message_is_filled_in_falls_back_to_farsi_and_has_its_sms_wording() -> None:
    knowledge = KnowledgeBase(KNOWLEDGE)
    created = knowledge.message("case_created", "prs", reference="1234-5678")
    assert "1234-5678" in created.text and "{" not in created.text
    assert knowledge.message("case_created", "xx", reference="1").text.startswith("ثبت شد")
    consent = knowledge.message("ask_callback_consent", "fa", "telegram")
    assert len(consent.buttons) == 3 and "همین‌جا" in consent.text
    by_sms = knowledge.message("ask_callback_consent", "fa", "sms")
    assert "این شماره تماس بگیرد یا پیامک بدهد" in by_sms.text
    assert knowledge.message("report_received", "fa", reference="1").urgent
    assert not consent.urgent


def test_province_details_follow_the_short_answer_except_on_sms() -> None:
    knowledge = KnowledgeBase(KNOWLEDGE)
    topic = knowledge.topic_for_intent("ask_health")
    assert topic is not None
    assert len(knowledge.short_answer(topic, "prs", None)) == 1
    local = knowledge.short_answer(topic, "prs", "Tehran")
    assert local[1] == "(تأیید نشده) " + topic.provinces["Tehran"]["prs"]
    # On SMS the short answer comes alone; the local details lead the "more".
    assert len(knowledge.short_answer(topic, "prs", "Tehran", "sms")) == 1
    assert knowledge.more_answer(topic, "prs", "Tehran", "sms")[0] == local[1]
    assert local[1] not in knowledge.more_answer(topic, "prs", "Tehran", "telegram")


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
