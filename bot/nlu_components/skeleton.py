"""Word features on a consonant skeleton shared by Persian and Latin script.

People write the same words as «میخام شکایت کنم» and "mikham shekayat konam", and
Finglish spells each word many ways (kh/x, gh/q, ee/i, oo/u). Persian script leaves short
vowels out, so both scripts agree once vowels and the letters that also write vowels
(ا و ی, a e i o u w v y) are dropped and the other letters are mapped to one Latin form:
both sentences above become "mkhm shkt knm". Counting words and character n-grams of that
skeleton lets the few thousand Latin-script examples and the Persian-script ones teach each
other; the ordinary featurizers still see the real words, so nothing is lost.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import TEXT

# Letters that also write vowels (ا و ی), hamza and ain are dropped like Latin vowels.
_PERSIAN = {
    **dict.fromkeys("اآأإءئؤعیيىو", ""),
    "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j",
    "چ": "ch", "ح": "h", "ه": "h", "ة": "h", "خ": "kh", "د": "d", "ذ": "z", "ز": "z",
    "ض": "z", "ظ": "z", "ر": "r", "ژ": "zh", "ش": "sh", "غ": "gh", "ق": "gh", "ف": "f",
    "ک": "k", "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n",
}  # fmt: skip
# Digraphs first (one placeholder letter each), then single letters; Finglish writes
# q and gh for ق/غ, x for خ, w and v for و, and digits for ع (3) and ح (7).
_LATIN = (
    ("kh", "K"), ("sh", "S"), ("ch", "C"), ("gh", "G"), ("zh", "Z"), ("q", "G"), ("x", "K"),
    ("c", "k"), ("7", "h"), ("3", ""), ("2", ""),
)  # fmt: skip
_LATIN_DROPPED = set("aeiouwvy'")
_PLACEHOLDERS = {"K": "kh", "S": "sh", "C": "ch", "G": "gh", "Z": "zh"}
_PERSIAN_LETTER = re.compile("[\u0600-\u06ff]")
_REPEATS = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """The consonant skeleton of one word, in Latin letters ("_" when nothing is left)."""
    if _PERSIAN_LETTER.search(word):
        # A final ه usually writes the vowel e (خانه, khane).
        if word.endswith("ه") and len(word) > 2:
            word = word[:-1]
        out = "".join(_PERSIAN.get(ch, ch if ch.isdigit() else "") for ch in word)
    else:
        word = word.lower()
        if len(word) > 2 and word.endswith(("ah", "eh")):
            word = word[:-1]
        for digraph, letter in _LATIN:
            word = word.replace(digraph, letter)
        out = "".join(
            _PLACEHOLDERS.get(ch, ch) for ch in word if ch.isalnum() and ch not in _LATIN_DROPPED
        )
    return _REPEATS.sub(r"\1", out) or "_"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SkeletonCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer over the skeletons of the message's words (its own config:
    `analyzer`, `min_ngram`, `max_ngram` as for CountVectorsFeaturizer)."""

    def _process_tokens(self, tokens: list[str], attribute: str = TEXT) -> list[str]:
        tokens = super()._process_tokens(tokens, attribute)
        if attribute != TEXT:
            return tokens
        return [t if t == "__NUMBER__" else skeleton(t) for t in tokens]
