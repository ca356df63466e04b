"""Deterministic extraction of `province`, `language` and `case_reference`.

Provinces and languages come from a gazetteer built at training time from the
training data: a lookup table named after the entity lists the canonical
values, and synonyms map every spelling (Farsi, Dari, Latin, cities) to one of
them. Matching uses `persian_text.matching_key`, so ZWNJ, spacing, Arabic
letters and case do not matter, and the value is always canonical. Case
references are found by pattern; the text is already normalised, so all
digits are ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from persian_text import matching_key, to_ascii_digits

# Eight digits, optionally split 4+4 by a hyphen, slash or spaces; not part of a longer number.
CASE_REFERENCE = re.compile(r"(?<![0-9])([0-9]{4})[ ]?[-‐–—_/]?[ ]?([0-9]{4})(?![0-9])")
_WORD = re.compile(r"\w+")

Gazetteer = dict[str, dict[str, str]]


def gazetteer_key(text: str) -> str:
    """`matching_key` without punctuation: "Boyer-Ahmad" and "boyer ahmad" match."""
    return "".join(_WORD.findall(matching_key(text)))


def build_gazetteer(
    entities: list[str], lookup_tables: list[dict[str, Any]], synonyms: dict[str, str]
) -> Gazetteer:
    """Entity -> matching key of a spelling -> canonical value."""
    gazetteer: Gazetteer = {}
    for entity in entities:
        canonical = {
            str(value)
            for table in lookup_tables
            if table.get("name") == entity
            for value in table.get("elements", [])
        }
        keys = {gazetteer_key(value): value for value in canonical}
        keys.update(
            (gazetteer_key(surface), value)
            for surface, value in synonyms.items()
            if value in canonical
        )
        gazetteer[entity] = keys
    return gazetteer


def find_case_references(text: str) -> list[dict[str, Any]]:
    return [
        {
            ENTITY_ATTRIBUTE_TYPE: "case_reference",
            ENTITY_ATTRIBUTE_START: match.start(),
            ENTITY_ATTRIBUTE_END: match.end(),
            ENTITY_ATTRIBUTE_VALUE: match.group(1) + match.group(2),
        }
        for match in CASE_REFERENCE.finditer(to_ascii_digits(text))
    ]


class GazetteerMatcher:
    """Longest match over runs of words, then single words with a Persian or Latin affix.

    Some names are also common words (مرکزی "central", گلستان, فارس): listed in
    `context_only`, they count only after a cue word (استان, ولایت...) or in a
    short message that answers a question like "which province?".
    """

    def __init__(self, gazetteer: Gazetteer, config: dict[str, Any]) -> None:
        self.gazetteer = gazetteer
        self.max_words = int(config["max_words"])
        self.context_only = {gazetteer_key(word) for word in config["context_only"]}
        self.cue_words = {gazetteer_key(word) for word in config["cue_words"]}
        self.prefixes = [gazetteer_key(p) for p in config["prefixes"]]
        self.suffixes = [gazetteer_key(s) for s in config["suffixes"]]
        self.short_message_words = int(config["short_message_words"])

    def find(self, text: str) -> list[dict[str, Any]]:
        words = [(m.start(), m.end(), gazetteer_key(m.group())) for m in _WORD.finditer(text)]
        found = []
        i = 0
        while i < len(words):
            hit = self._match_at(words, i)
            if hit is None:
                i += 1
                continue
            entity, value, length = hit
            found.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: entity,
                    ENTITY_ATTRIBUTE_START: words[i][0],
                    ENTITY_ATTRIBUTE_END: words[i + length - 1][1],
                    ENTITY_ATTRIBUTE_VALUE: value,
                }
            )
            i += length
        return found

    def _match_at(self, words: list[tuple[int, int, str]], i: int) -> tuple[str, str, int] | None:
        for length in range(min(self.max_words, len(words) - i), 0, -1):
            key = "".join(word[2] for word in words[i : i + length])
            candidates = [key] if length > 1 else [key, *self._stems(key)]
            for candidate in candidates:
                for entity, keys in self.gazetteer.items():
                    if candidate in keys and self._allowed(candidate, words, i):
                        return entity, keys[candidate], length
        return None

    def _stems(self, key: str) -> Iterator[str]:
        for suffix in self.suffixes:
            if key.endswith(suffix) and len(key) - len(suffix) >= 2:
                yield key[: -len(suffix)]
        for prefix in self.prefixes:
            if key.startswith(prefix) and len(key) - len(prefix) >= 3:
                yield key[len(prefix) :]

    def _allowed(self, key: str, words: list[tuple[int, int, str]], i: int) -> bool:
        if key not in self.context_only:
            return True
        return len(words) <= self.short_message_words or (
            i > 0 and words[i - 1][2] in self.cue_words
        )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class PersianEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `province`, `language` (canonical values) and `case_reference` (8 ASCII digits)."""

    GAZETTEER_FILE = "gazetteer.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Earlier entities win a tie: "فارسی" is a language before "فارس" is a province.
            "gazetteer_entities": ["language", "province"],
            "max_words": 4,
            "context_only": [],
            "cue_words": [],
            "prefixes": [],
            "suffixes": [],
            "short_message_words": 3,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._matcher = GazetteerMatcher(gazetteer or {}, config)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersianEntityExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        gazetteer = build_gazetteer(
            self._config["gazetteer_entities"],
            training_data.lookup_tables,
            training_data.entity_synonyms,
        )
        self._matcher = GazetteerMatcher(gazetteer, self._config)
        with self._model_storage.write_to(self._resource) as path:
            dump_obj_as_json_to_file(path / self.GAZETTEER_FILE, gazetteer)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PersianEntityExtractor:
        with model_storage.read_from(resource) as path:
            gazetteer = read_json_file(path / cls.GAZETTEER_FILE)
        return cls(config, model_storage, resource, gazetteer)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = self.add_extractor_name(find_case_references(text) + self._matcher.find(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
