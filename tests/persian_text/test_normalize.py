"""persian_text against the table of docs/domain.md §4.2."""

import pytest

from persian_text import (
    map_span,
    matching_key,
    normalize,
    normalize_chars,
    normalize_with_spans,
    to_ascii_digits,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("علي", "علی"),  # Arabic yeh
        ("مصطفى", "مصطفی"),  # alef maksura
        ("كمك", "کمک"),  # Arabic kaf
        ("ﻛﻤﻚ", "کمک"),  # presentation forms: NFKC, then the kaf map
        ("ﯾﮏ", "یک"),  # yeh presentation form stays Farsi yeh
        ("ﻻ", "لا"),  # lam-alef ligature
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("خانۀ ما", "خانه ما"),  # heh with yeh above
        ("خانهٔ ما", "خانه ما"),  # heh + hamza above
        ("أحمد إمام", "احمد امام"),  # hamza-carrying alefs
        ("سـلـام", "سلام"),  # tatweel
        ("سَلامٌ", "سلام"),  # harakat
        ("\u200fسلام\u200e", "سلام"),  # bidi marks
        ("\u202bسلام\u202c", "سلام"),  # embeddings
        ("خوا\u200dهم", "خواهم"),  # zero-width joiner
        ("۱۲٫۵", "12.5"),  # Arabic decimal separator
        ("  سلام \t  دنیا  ", "سلام دنیا"),  # spacing
        ("سلام\u00a0دنیا", "سلام دنیا"),  # no-break space
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_zwnj_kept_between_letters_and_dropped_next_to_spaces() -> None:
    assert normalize("می\u200cخواهم") == "می\u200cخواهم"
    assert normalize("می\u200c\u200c\u200cخواهم") == "می\u200cخواهم"
    assert normalize("می\u200c خواهم") == "می خواهم"
    assert normalize("\u200cسلام\u200c") == "سلام"


def test_matching_key_ignores_zwnj_spacing_and_case() -> None:
    variants = ["می\u200cخواهم", "میخواهم", "می خواهم", "مي\u200cخواهم"]
    assert {matching_key(v) for v in variants} == {"میخواهم"}
    assert matching_key("Bandar  Abbas") == matching_key("bandarabbas")


def test_digits() -> None:
    assert to_ascii_digits("۱۲۳۴-۵۶۷۸") == "1234-5678"
    assert to_ascii_digits("١٢٣٤٥٦٧٨") == "12345678"
    assert normalize_chars("كد ۱۲") == "کد 12"
    assert len(normalize_chars("كي ٣٤ ۵۶")) == len("كي ٣٤ ۵۶")


@pytest.mark.parametrize(
    "raw",
    ["سـلام  دنیا", "\u200fمن در  مشهد\u200c هستم", "سَلامٌ ﻻ ۱۲۳", "  a\u200c\u200cb\n\n c  ", ""],
)
def test_spans_point_back_to_the_source(raw: str) -> None:
    text, spans = normalize_with_spans(raw)
    assert text == normalize(raw)
    assert len(spans) == len(text)
    for char, (start, end) in zip(text, spans, strict=True):
        # Spaces and ZWNJ depend on their neighbours; every other character is its source's.
        assert char.isspace() or char == "\u200c" or char in normalize(raw[start:end])


def test_map_span_moves_an_annotation() -> None:
    raw = "من در  مشـهد هستم"
    text, spans = normalize_with_spans(raw)
    start, end = map_span(spans, raw.index("مشـهد"), raw.index("مشـهد") + len("مشـهد"))
    assert text[start:end] == "مشهد"
    assert map_span(spans, 0, 0) is None
