"""The knowledge content (bot/data/knowledge/*.yml), read at run time.

Content editors change the YAML files and the next answer uses them: the
files are re-read whenever their modification time or size changes, with no
retraining and no restart. Topic files carry `verified`, `source` and
`last_verified` so unverified Iran facts can be found and checked. Besides
topics there are `labels` (words put into answers) and `messages` (what the
custom actions say: messages.yml).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

LANGUAGES = ("fa", "prs")
# UCS-2 SMS: 70 characters in one segment, 67 per part when concatenated.
SMS_SEGMENT = 67
SHORT_LIMIT = 2 * SMS_SEGMENT  # the short answer: at most 2 segments
MESSAGE_LIMIT = 3 * SMS_SEGMENT  # any one message: at most 3 segments


def sms_units(text: str) -> int:
    """UCS-2 code units: a character outside the BMP (an emoji) counts twice."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


@dataclass(frozen=True)
class Message:
    """One text the actions send, with its buttons (Rasa's `{title, payload}`)."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()


def _message(entry: str | dict[str, Any]) -> Message:
    if isinstance(entry, str):
        return Message(entry)
    return Message(entry["text"], tuple(dict(button) for button in entry.get("buttons", [])))


@dataclass(frozen=True)
class Topic:
    key: str
    intent: str
    short: dict[str, str]
    more: dict[str, list[str]]
    provinces: dict[str, dict[str, Any]]


class KnowledgeBase:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._topics: dict[str, Topic] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._messages: dict[str, dict[str, Message]] = {}

    def _current_signature(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted(self.directory.glob("*.yml"))
        return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)

    def _refresh(self) -> None:
        with self._lock:
            signature = self._current_signature()
            if signature == self._signature:
                return
            topics: dict[str, Topic] = {}
            labels: dict[str, dict[str, str]] = {}
            messages: dict[str, dict[str, Message]] = {}
            for path in sorted(self.directory.glob("*.yml")):
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                if data.get("kind") == "labels":
                    labels.update(data["labels"])
                elif data.get("kind") == "messages":
                    for key, languages in data["messages"].items():
                        messages[key] = {lang: _message(e) for lang, e in languages.items()}
                elif data.get("kind") == "topic":
                    topics[data["intent"]] = Topic(
                        key=data["topic"],
                        intent=data["intent"],
                        short=data["short"],
                        more=data.get("more", {}),
                        provinces=data.get("provinces", {}),
                    )
            self._topics, self._labels, self._messages = topics, labels, messages
            self._signature = signature
            logger.info("knowledge loaded: %d topics, %d messages", len(topics), len(messages))

    def topic_for_intent(self, intent: str) -> Topic | None:
        self._refresh()
        return self._topics.get(intent)

    def topic(self, key: str) -> Topic | None:
        self._refresh()
        return next((t for t in self._topics.values() if t.key == key), None)

    def label(self, name: str, language: str) -> str:
        self._refresh()
        return self._labels[name][language]

    def message_keys(self) -> set[str]:
        self._refresh()
        return set(self._messages)

    def message(self, key: str, language: str, **values: Any) -> Message:
        """The text `key` in `language`, with `{name}` placeholders filled from `values`."""
        self._refresh()
        variants = self._messages[key]
        message = variants.get(language) or variants["fa"]
        if values:
            message = Message(message.text.format(**values), message.buttons)
        return message

    def short_answer(self, topic: Topic, language: str, province: str | None) -> list[str]:
        messages = [topic.short[language]]
        local = topic.provinces.get(province or "")
        if local:
            messages.append(local[language])
        return messages

    def more_answer(self, topic: Topic, language: str) -> list[str]:
        return list(topic.more.get(language, []))
