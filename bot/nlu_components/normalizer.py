"""Persian normalisation as the first step of the NLU pipeline.

The same code runs at training and at run time, so the classifier and the
extractors always see text in one form. `persian_text.normalize` removes
characters (tatweel, diacritics, bidi marks, extra spaces), which shifts
offsets: training annotations are moved onto the normalised text here.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from persian_text import ZWNJ, map_span, normalize_with_spans

logger = logging.getLogger(__name__)


def nlu_text(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Normalised text with ZWNJ as a space, and the source span of each character.

    Turning ZWNJ into a space (length-preserving) makes `می‌خواهم` and
    `می خواهم` the same tokens; character n-grams absorb `میخواهم`.
    """
    normalised, spans = normalize_with_spans(text)
    return normalised.replace(ZWNJ, " "), spans


def move_entities(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Normalise `text` and move entity offsets onto the result; drops entities that vanish."""
    normalised, spans = nlu_text(text)
    moved = []
    for entity in entities:
        span = map_span(spans, entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
        if span is None:
            logger.warning("Entity %s vanished when normalising %r", entity, text)
            continue
        start, end = span
        # An annotation that ended on a space now ends before it.
        while end > start and normalised[end - 1] == " ":
            end -= 1
        while start < end and normalised[start] == " ":
            start += 1
        moved.append({**entity, ENTITY_ATTRIBUTE_START: start, ENTITY_ATTRIBUTE_END: end})
    return normalised, moved


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class PersianNormalizer(GraphComponent):
    """Rewrites the message text with `persian_text.normalize` (ZWNJ as a space)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersianNormalizer:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message)
        return messages

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        entities = message.get(ENTITIES)
        normalised, moved = move_entities(text, entities or [])
        message.set(TEXT, normalised)
        if entities:
            message.set(ENTITIES, moved)
