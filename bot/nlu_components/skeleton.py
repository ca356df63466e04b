"""Word features on the consonant skeleton Persian script and Finglish share.

People write the same words as «میخام شکایت کنم» and "mikham shekayat konam", and
Finglish spells each word many ways. `persian_text.skeleton` (the same rule the disclosure
triage uses) reads both sentences as "mxm Skt knm". Counting words and character n-grams of
the skeletons lets the Latin-script and the Persian-script examples teach each other; the
ordinary featurizers still see the real words, so nothing is lost.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import TEXT

from persian_text.skeleton import skeleton

NUMBER = "__NUMBER__"  # what CountVectorsFeaturizer makes of a number


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SkeletonCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer over the skeletons of the message's words (its own config:
    `analyzer`, `min_ngram`, `max_ngram` as for CountVectorsFeaturizer)."""

    def _process_tokens(self, tokens: list[str], attribute: str = TEXT) -> list[str]:
        tokens = super()._process_tokens(tokens, attribute)
        if attribute != TEXT:
            return tokens
        return [t if t == NUMBER else skeleton(t) for t in tokens]
