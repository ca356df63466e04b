"""The knowledge content (bot/data/knowledge/*.yml), read at run time.

Content editors change the YAML files and the next answer uses them: the
files are re-read whenever their modification time or size changes, with no
retraining and no restart. Topic files and service points carry `verified`,
`source` and `last_verified` so unverified Iran facts can be found and
checked; an answer from unverified content says so to the person. Besides
topics there are `labels` (words put into answers), `messages` (what the
custom actions say: messages.yml) and `service_points` (the directory).

Every text is given per language (`fa`, `prs`: the people languages of
persian_text/languages.yml); a mapping may also hold an `sms` mapping with the
SMS wording (no links, fewer words), used on SMS. A text missing in a language
reads in the default language: editors change these files on a live system
without a restart, and an answer in the default language is better than none
(tests/bot_actions checks that every text is complete).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from persian_text import languages

logger = logging.getLogger(__name__)

# SMS segments (persian_text.sms): a short answer takes at most 2, any message 3.
SHORT_SEGMENTS = 2


def localized(variants: dict[str, Any], language: str, channel: str) -> Any:
    """The `language` entry of `variants`, from its `sms` mapping on SMS; the default
    language's if missing."""
    if channel == "sms" and "sms" in variants:
        variants = variants["sms"]
    return variants.get(language) or variants[languages.registry().default]


@dataclass(frozen=True)
class Message:
    """One text the actions send, with its buttons (Rasa's `{title, payload}`).

    `urgent` messages (danger, a report received) are sent alone: the privacy
    notice and the language offer wait for the next answer.
    """

    text: str
    buttons: tuple[dict[str, str], ...] = ()
    urgent: bool = False


def _message(entry: str | dict[str, Any], urgent: bool) -> Message:
    if isinstance(entry, str):
        return Message(entry, urgent=urgent)
    buttons = tuple(dict(button) for button in entry.get("buttons", []))
    return Message(entry["text"], buttons, urgent)


@dataclass(frozen=True)
class Topic:
    key: str
    intent: str
    # The taxonomy topic of a case filed after this answer (the key unless the
    # taxonomy has no such topic).
    case_topic: str
    verified: bool
    short: dict[str, Any]
    more: dict[str, Any]
    provinces: dict[str, dict[str, Any]]
    # Offered with the short answer after "more": `{title: {fa, prs}, payload}`.
    buttons: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ServicePoint:
    name: dict[str, str]
    services: dict[str, str]
    address: dict[str, str] | None
    hours: dict[str, str] | None
    phone: str | None
    verified: bool


class KnowledgeBase:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._topics: dict[str, Topic] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._messages: dict[str, dict[str, Any]] = {}
        self._points: dict[str, list[ServicePoint]] = {}

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
            messages: dict[str, dict[str, Any]] = {}
            points: dict[str, list[ServicePoint]] = {}
            for path in sorted(self.directory.glob("*.yml")):
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                kind = data.get("kind")
                if kind == "labels":
                    labels.update(data["labels"])
                elif kind == "messages":
                    messages.update(data["messages"])
                elif kind == "topic":
                    topics[data["intent"]] = Topic(
                        key=data["topic"],
                        intent=data["intent"],
                        case_topic=data.get("case_topic", data["topic"]),
                        verified=bool(data["verified"]),
                        short=data["short"],
                        more=data.get("more", {}),
                        provinces=data.get("provinces", {}),
                        buttons=tuple(data.get("buttons", [])),
                    )
                elif kind == "service_points":
                    for province, entries in data["provinces"].items():
                        points[province] = [_service_point(entry) for entry in entries]
            self._topics, self._labels, self._messages = topics, labels, messages
            self._points = points
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
        labels = self._labels[name]
        return labels.get(language) or labels[languages.registry().default]

    def message_keys(self) -> set[str]:
        self._refresh()
        return set(self._messages)

    def message(self, key: str, language: str, channel: str = "web", **values: Any) -> Message:
        """The text `key` in `language` for `channel`, `{name}` filled in from `values`."""
        self._refresh()
        entry = self._messages[key]
        message = _message(localized(entry, language, channel), bool(entry.get("urgent")))
        if values:
            message = Message(message.text.format(**values), message.buttons, message.urgent)
        return message

    def topic_buttons(self, topic: Topic, language: str) -> tuple[dict[str, str], ...]:
        return tuple(
            {"title": button["title"][language], "payload": button["payload"]}
            for button in topic.buttons
        )

    def _marked(self, text: str, verified: bool, language: str) -> str:
        return text if verified else f"{self.label('unverified', language)} {text}"

    def short_answer(
        self, topic: Topic, language: str, province: str | None, channel: str = "web"
    ) -> list[str]:
        """The short answer, and the province's details except on SMS (they come with "more")."""
        messages = [
            self._marked(localized(topic.short, language, channel), topic.verified, language)
        ]
        local = topic.provinces.get(province or "")
        if local and channel != "sms":
            messages.append(
                self._marked(localized(local, language, channel), local["verified"], language)
            )
        return messages

    def more_answer(
        self, topic: Topic, language: str, province: str | None, channel: str = "web"
    ) -> list[str]:
        """The longer text; on SMS the province's details first (not sent with the short answer)."""
        messages: list[str] = []
        local = topic.provinces.get(province or "")
        if local and channel == "sms":
            messages.append(
                self._marked(localized(local, language, channel), local["verified"], language)
            )
        more = localized(topic.more, language, channel)
        messages += [self._marked(text, topic.verified, language) for text in more]
        return messages

    def service_points(self, province: str) -> list[ServicePoint]:
        self._refresh()
        return self._points.get(province, [])

    def provinces_with_service_points(self) -> list[str]:
        self._refresh()
        return list(self._points)

    def service_point_line(self, point: ServicePoint, language: str) -> str:
        """One entry as one line: name, services, address, hours, phone (what is known);
        an unverified entry starts with "*" (the heading says what it means)."""
        parts = [f"{point.name[language]}: {point.services[language]}"]
        if point.address:
            parts.append(point.address[language])
        if point.hours:
            parts.append(point.hours[language])
        if point.phone:
            parts.append(f"{self.label('phone', language)} {point.phone}")
        return ("- " if point.verified else "- *") + "، ".join(parts)


def _service_point(entry: dict[str, Any]) -> ServicePoint:
    return ServicePoint(
        name=entry["name"],
        services=entry["services"],
        address=entry.get("address"),
        hours=entry.get("hours"),
        phone=entry.get("phone"),
        verified=bool(entry["verified"]),
    )
