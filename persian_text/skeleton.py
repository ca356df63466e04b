"""The consonant skeleton of a word, the same for its Persian-script and Finglish spellings.

Persian script leaves short vowels out and Finglish spells vowels every which way, so
both agree once vowels (and و ی ا, which also write vowels) are dropped and the other
letters map to one Latin form: "pool" and «پول» are both "pl", "mikham" and «میخام» both
"mxm". Lossy on purpose: the classifiers that use it (the disclosure triage, the bot's
NLU featurizer) see the real words as well.
"""

from __future__ import annotations

import re

_PERSIAN_CONSONANTS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ط": "t",
    "ث": "s",
    "س": "s",
    "ص": "s",
    "ج": "j",
    "چ": "C",
    "ح": "h",
    "ه": "h",
    "خ": "x",
    "د": "d",
    "ذ": "z",
    "ز": "z",
    "ض": "z",
    "ظ": "z",
    "ر": "r",
    "ژ": "Z",
    "ش": "S",
    "غ": "q",
    "ق": "q",
    "ف": "f",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
# Latin digraphs first, then one letter each; vowels (and و/ی/ا on the Persian side) drop.
_LATIN_SOUNDS = (("kh", "x"), ("gh", "q"), ("sh", "S"), ("ch", "C"), ("zh", "Z"), ("ph", "f"))
_LATIN_VOWELS = re.compile(r"[aeiouyvw'3]")
_LATIN = re.compile(r"[a-z]")


def skeleton(word: str) -> str:
    """The consonants of a word, the same for its Persian and Latin spellings."""
    if _LATIN.search(word):
        for digraph, sound in _LATIN_SOUNDS:
            word = word.replace(digraph, sound)
        consonants = _LATIN_VOWELS.sub("", word.replace("c", "k"))
    else:
        consonants = "".join(_PERSIAN_CONSONANTS.get(ch, "") for ch in word)
    # A final ه is the vowel "e"/"a" ("پیسه", "pesa").
    return consonants.removesuffix("h")
