"""The consonant skeleton: a Persian-script and a Finglish spelling of a word meet."""

import pytest

from persian_text.skeleton import skeleton


@pytest.mark.parametrize(
    ("persian", "latin"),
    [
        ("پول", "pool"),
        ("کارمند", "karmand"),
        ("میخوام", "mikham"),
        ("میخام", "mixam"),
        ("شکایت", "shekayat"),
        ("شکایت", "shikayat"),
        ("پیسه", "pesa"),
        ("پیسه", "paisa"),
        ("نقد", "naqd"),
        ("نقد", "naghd"),
        ("خانه", "khane"),
        ("تذکره", "tazkira"),
        ("شفاخانه", "shafakhana"),
        ("عریضه", "arize"),
    ],
)
def test_both_scripts_share_a_skeleton(persian: str, latin: str) -> None:
    assert skeleton(persian) == skeleton(latin)


@pytest.mark.parametrize(
    ("first", "second"),
    [("کمک", "کار"), ("pesa", "pasport"), ("شکایت", "شکار"), ("mikham", "mikonam")],
)
def test_different_words_keep_different_skeletons(first: str, second: str) -> None:
    assert skeleton(first) != skeleton(second)
