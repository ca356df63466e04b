"""guess_language: Dari or Farsi from the words a person wrote, or undecided."""

import pytest

from persian_text import guess_language


@pytest.mark.parametrize(
    "text",
    [
        "سلام، میخایم شکایت کنم از توزیع کمک",
        "مه افغانی استم و تذکره ندارم",
        "پیسه نداریم، کرایه خانه را داده نمی‌تانیم",
        "همرای اولادهایم اینجه استیم",
        "نمبر تیلفون تان چند است؟",
        "چی رقم کارت آمایش بگیرم؟",
        "کتی داکتر گپ بزنم",
        "تذکره‌ام گم شده",
        "شفاخانه کجاست",
        "salam mekhayam shekayat konom",
        "pesa nadarim, namber ra bedin",
        "salam, mekhayom az taqsim komak shikayat kunum",
        "komak naqdi meten?",
    ],
)
def test_dari(text: str) -> None:
    assert guess_language(text) == "prs"


@pytest.mark.parametrize(
    "text",
    [
        "سلام، میخوام شکایت کنم",
        "من افغانی هستم و شماره آمایش دارم",
        "پول ندارم اجاره خونه رو بدم",
        "می خوام باهاتون صحبت کنم، میتونم؟",  # "می" written apart
        "بیمارستان کجاست",
        "چطوری کارت آمایش بگیرم؟",
        "شماره‌ام عوض شده",
        "salam, mikham shekayat konam az tozie komak",
        "mitunam ba shoma sohbat konam?",
    ],
)
def test_farsi(text: str) -> None:
    assert guess_language(text) == "fa"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "سلام",
        "کمک نقدی",
        "شکایت دارم",
        "/greet",
        "1",
        "شفاخانه یا بیمارستان",  # one of each
        "استمرار",  # starts like a marker, is not one
    ],
)
def test_undecided(text: str) -> None:
    assert guess_language(text) is None


def test_arabic_letters_and_joined_or_split_words_count_alike() -> None:
    assert guess_language("مي\u200cتانم") == guess_language("میتانم") == "prs"
    assert guess_language("نمی خوام") == "fa"
