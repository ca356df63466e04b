"""Persian (Farsi and Dari) text normalisation, standard library only.

Both runtimes import this package: the NLU pipeline (bot runtime, Python 3.10)
and the service (reference numbers, keywords). It implements the table of
docs/domain.md §4.2. Its modules languages.py (the language registry) and
catalogue.py (texts per language) also read YAML, with PyYAML, which both
runtimes have.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Literal

from persian_text import markers

ZWNJ = "\u200c"

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

# One character to one character: safe inside the NLU pipeline (entity offsets hold).
_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Farsi yeh
        "\u0649": "\u06cc",  # alef maksura -> Farsi yeh
        "\u0643": "\u06a9",  # Arabic kaf -> keheh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06c0": "\u0647",  # heh with yeh above -> heh (matching only)
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
    }
)

# Characters removed outright: tatweel, harakat, superscript alef, hamza above,
# zero-width joiner, bidi marks and embeddings.
_REMOVED = re.compile(
    "[\u0640\u064b-\u0652\u0670\u0654\u0655\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
# Horizontal spaces collapsed to one ASCII space; other whitespace (newlines) is kept.
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f]")

Span = tuple[int, int]


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII."""
    return text.translate(_DIGITS)


def normalize_chars(text: str) -> str:
    """Length-preserving normalisation: letters and digits, one for one."""
    return text.translate(_LETTERS).translate(_DIGITS)


def _clusters(text: str) -> list[tuple[str, int, int]]:
    """Each base character with its combining marks, NFKC-normalised, with its source span.

    NFKC per cluster equals NFKC of the whole string for Persian text (composition
    never crosses a base character) and lets every output character point back
    to the input.
    """
    out: list[tuple[str, int, int]] = []
    start = 0
    while start < len(text):
        end = start + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        out.extend((c, start, end) for c in unicodedata.normalize("NFKC", text[start:end]))
        start = end
    return out


def normalize_with_spans(text: str) -> tuple[str, list[Span]]:
    """`normalize(text)` and, for each of its characters, the span of `text` it comes from.

    The NLU pipeline needs the spans to move entity annotations onto the
    normalised text, since removals and space collapsing shift offsets.
    """
    chars = [(normalize_chars(c), s, e) for c, s, e in _clusters(text) if not _REMOVED.fullmatch(c)]
    kept: list[tuple[str, int, int]] = []
    for i, (c, s, e) in enumerate(chars):
        if c == ZWNJ:
            after = chars[i + 1][0] if i + 1 < len(chars) else ""
            # ZWNJ runs collapse; a ZWNJ next to whitespace or at either end goes.
            if not kept or kept[-1][0] in (ZWNJ, " ") or kept[-1][0].isspace():
                continue
            if after in ("", ZWNJ) or after.isspace():
                continue
        if _SPACES.fullmatch(c):
            if kept and kept[-1][0] == " ":
                kept[-1] = (" ", kept[-1][1], e)
                continue
            c = " "
        kept.append((c, s, e))
    while kept and kept[0][0].isspace():
        kept.pop(0)
    while kept and kept[-1][0].isspace():
        kept.pop()
    return "".join(c for c, _, _ in kept), [(s, e) for _, s, e in kept]


def normalize(text: str) -> str:
    """Full normalisation for matching and intent classification.

    NFKC first (presentation forms), then the letter map (NFKC turns yeh
    presentation forms into Arabic yeh, so the map must follow it), removals,
    ZWNJ clean-up (kept between letters, dropped next to a space) and spacing.
    """
    return normalize_with_spans(text)[0]


def map_span(spans: list[Span], start: int, end: int) -> Span | None:
    """Where the source range [start, end) lands in the normalised text, or None if it vanished."""
    inside = [i for i, (s, e) in enumerate(spans) if s < end and e > start]
    if not inside:
        return None
    return inside[0], inside[-1] + 1


def matching_key(text: str) -> str:
    """A key that ignores ZWNJ and spacing variants (می‌خواهم = میخواهم = می خواهم)."""
    return re.sub(r"[\s\u200c]+", "", normalize(text)).lower()


_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    """Lower-case words without ZWNJ, with a detached "می"/"نمی" joined to its verb."""
    words: list[str] = []
    for word in _WORD.findall(normalize(text).replace(ZWNJ, "").lower()):
        if words and words[-1] in markers.VERB_PREFIXES:
            words[-1] += word
        else:
            words.append(word)
    return words


def _is_marker(word: str, found: frozenset[str]) -> bool:
    if word in found:
        return True
    return any(
        word.startswith(noun) and word[len(noun) :] in markers.NOUN_ENDINGS
        for noun in markers.NOUNS & found
    )


def guess_language(text: str) -> Literal["fa", "prs"] | None:
    """Dari ("prs") or Iranian Farsi ("fa") from the words a person wrote; None when undecided.

    Counts the Dari and the Farsi markers (persian_text/markers.py), in Persian
    or Latin script; the side with more wins, a tie (or no marker) decides nothing.
    """
    words = _words(text)
    pairs = set(itertools.pairwise(words))
    dari = sum(_is_marker(w, markers.DARI) for w in words) + len(pairs & markers.DARI_PAIRS)
    farsi = sum(_is_marker(w, markers.FARSI) for w in words) + len(pairs & markers.FARSI_PAIRS)
    if dari > farsi:
        return "prs"
    if farsi > dari:
        return "fa"
    return None
