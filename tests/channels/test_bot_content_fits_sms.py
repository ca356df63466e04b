"""Every text the assistant can send fits 3 SMS segments once rendered for SMS.

The bot's texts live in bot/ as data (domain responses, the actions' messages,
the knowledge answers); a longer reply is a content bug, caught here rather
than by a person paying for a fourth segment. A text with an SMS wording (its
`sms` mapping) is checked in that wording, the one SMS users get. A first
contact (the privacy notice with the menu) fits 3 segments in all; every first
answer is checked through the actions in tests/bot_actions/test_first_turn.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from channels.render import sms_menu
from persian_text import sms

BOT = Path(__file__).resolve().parents[2] / "bot"
MAX_SEGMENTS = 3


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _domain_texts() -> Iterator[tuple[str, str, str, list[dict[str, str]]]]:
    for path in sorted((BOT / "domain").glob("*.yml")):
        for name, variants in (_load(path).get("responses") or {}).items():
            for variant in variants:
                language = "prs" if variant.get("condition") else "fa"
                yield name, language, variant.get("text", ""), variant.get("buttons") or []


def _sms(entry: dict[str, Any], language: str) -> Any:
    """What SMS users get: the `sms` wording when there is one."""
    return (entry.get("sms") or entry)[language]


def _knowledge_texts() -> Iterator[tuple[str, str, str, list[dict[str, str]]]]:
    messages = _load(BOT / "data" / "knowledge" / "messages.yml")["messages"]
    for name, entry in messages.items():
        for language in ("fa", "prs"):
            variant = _sms(entry, language)
            if isinstance(variant, str):
                yield name, language, variant, []
            else:
                yield name, language, variant["text"], variant.get("buttons") or []
    more_button = [{"title": "more", "payload": "/more_info"}]
    for path in sorted((BOT / "data" / "knowledge").glob("*.yml")):
        topic = _load(path)
        if topic.get("kind") != "topic":
            continue
        for language in ("fa", "prs"):
            yield f"{path.stem}.short", language, _sms(topic["short"], language), more_button
            for part in _sms(topic["more"], language):
                yield f"{path.stem}.more", language, part, []
            for province, local in (topic.get("provinces") or {}).items():
                yield f"{path.stem}.{province}", language, _sms(local, language), []


TEXTS = [*_domain_texts(), *_knowledge_texts()]


def test_the_bot_content_is_there_to_check() -> None:
    assert len(TEXTS) > 100


@pytest.mark.parametrize(("name", "language", "text", "buttons"), TEXTS)
def test_every_bot_reply_fits_three_sms_segments(
    name: str, language: str, text: str, buttons: list[dict[str, str]]
) -> None:
    rendered = sms_menu(text, buttons, language) if buttons else text
    assert sms.segments(rendered) <= MAX_SEGMENTS, f"{name} ({language}): {rendered}"


@pytest.mark.parametrize(("language", "other"), [("fa", "prs"), ("prs", "fa")])
def test_a_first_contact_notice_and_menu_fit_three_segments_in_all(
    language: str, other: str
) -> None:
    """As the assistant sends it: the notice on top of the menu, its hint, the switch."""
    knowledge = BOT / "data" / "knowledge"
    messages = _load(knowledge / "messages.yml")["messages"]
    switch = _load(knowledge / "labels.yml")["labels"][f"switch_to_{other}"][language]
    menu = _sms(messages["main_menu"], language)
    text = "\n".join(
        (_sms(messages["privacy_notice"], language), menu["text"], messages["menu_hint"][language])
    )
    buttons = [*menu["buttons"], {"title": switch, "payload": "/set_language"}]
    assert len(buttons) <= 5  # the first level of the SMS menu
    assert sms.segments(sms_menu(text, buttons, language)) <= 3
