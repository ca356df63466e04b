"""A keyword safety net for emergencies.

A person writing that someone is unconscious or wants to kill themselves must
get the emergency numbers at once, never a "please rephrase". The classifier
misses some such sentences (short, unusual spellings), so exact phrases from
config.yml raise the intent to `emergency` whatever the classifier said.
Phrases are matched on whole words after the same normalisation as the
pipeline, with common Persian endings allowed (بیهوشه, خودکشی‌ام).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from persian_text import ZWNJ, normalize

EMERGENCY = "emergency"
_NON_WORD = re.compile(r"[^\w]+")
_ENDINGS = "(?:ه|ی|م|ن|ند|ست|است|ام|اند)?"


def _words(text: str) -> str:
    return _NON_WORD.sub(" ", normalize(text).replace(ZWNJ, " ").lower()).strip()


def compile_phrases(phrases: list[str]) -> re.Pattern[str]:
    alternatives = sorted(
        {re.escape(_words(p)) for p in phrases if _words(p)}, key=len, reverse=True
    )
    return re.compile(rf"(?:^| )(?:{'|'.join(alternatives)}){_ENDINGS}(?= |$)")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmergencyKeywords(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"phrases": []}

    def __init__(self, config: dict[str, Any]) -> None:
        self.pattern = compile_phrases(config["phrases"]) if config["phrases"] else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencyKeywords:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if self.pattern is None or not text or not self.pattern.search(_words(text)):
                continue
            intent = {INTENT_NAME_KEY: EMERGENCY, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                entry
                for entry in message.get("intent_ranking") or []
                if entry.get(INTENT_NAME_KEY) != EMERGENCY
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", [intent, *ranking], add_to_output=True)
        return messages
