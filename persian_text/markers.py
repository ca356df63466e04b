"""Words that tell Dari from Iranian Farsi, for `persian_text.guess_language`.

Written as `persian_text.normalize` leaves them, without ZWNJ (می‌خوام is
compared as میخوام). docs/domain.md §4.1 lists the vocabulary pairs; many
Afghans born in Iran use the Iranian word, so a marker only tips a guess and
a message with as many of each (or none) stays undecided. Words both
varieties use (تشکر، کرایه، میشه، اینجا) are not markers.
"""

from __future__ import annotations

DARI = frozenset(
    {
        # Colloquial verb forms.
        "استم", "استی", "استیم", "استین", "استید", "میخایم", "میخاییم", "میخاهم", "میخایی",
        "میخاین", "میتانم", "میتانیم", "میتانی", "میتانید", "میتانین", "نمیتانم",
        "نمیتانیم", "نمیتانی", "نمیتانید", "بتین", "بتیم", "میتین", "همرای", "همرایم",
        "همرایش", "کتی", "کتیم", "مه", "مره", "اینجه", "اونجه", "چطو",
        # Vocabulary.
        "پیسه", "نمبر", "تذکره", "شفاخانه", "داکتر", "ولسوالی", "شاروالی", "عریضه", "لست",
        "خیمه", "اولاد", "دوسیه", "تیلفون", "موتر", "تشناب", "پوهنتون", "معاش", "دکان",
        "ولایت", "بلی", "مننه", "واکسین", "پولیس", "ویزه", "فورم", "صحی",
        # Latin script.
        "mekhaya", "mekhayam", "mekhayum", "mekhaim", "mekhayim", "metanam", "metanum",
        "metanim", "hamrai", "hamrayam", "kati", "pesa", "paisa", "namber", "nambar",
        "tazkira", "tazkera", "shafakhana", "daktar", "astom", "astum", "asti",
        "mekhayom", "mekhaym", "mekhayem", "metanom", "metanem", "kunum", "kunom", "kadum",
        "kadom", "meten", "beten", "bitin", "wolayat",
    }
)  # fmt: skip

FARSI = frozenset(
    {
        # Colloquial verb forms.
        "هستم", "هستی", "هستیم", "میخوام", "میخوای", "میخوایم", "میخواین", "نمیخوام",
        "میتونم", "میتونی", "میتونیم", "میتونین", "نمیتونم", "نمیتونیم", "باهام", "باهاش",
        "باهامون", "بهم", "یه", "چطوری", "چجوری",
        # Vocabulary.
        "پول", "شماره", "بیمارستان", "دکتر", "ماشین", "آره", "بله", "مرسی", "دستشویی",
        "مدرسه", "درمانگاه", "داروخانه", "اجاره", "پلیس",
        # Latin script.
        "mikham", "mikhay", "mikhaym", "mitunam", "mitoonam", "mitonam", "hastam", "pool",
        "shomare", "shomareh", "bimarestan", "chetori", "chejoori", "merci", "mersi", "baham",
    }
)  # fmt: skip

# Two-word markers, matched on neighbouring words.
DARI_PAIRS = frozenset({("چی", "رقم"), ("chi", "rakam"), ("che", "rakam")})
FARSI_PAIRS = frozenset({("چه", "جوری"), ("che", "jori")})

# Nouns also count with a possessive or plural ending (تذکره‌ام، شماره‌اش، پیسه‌ها).
NOUNS = frozenset(
    {"پیسه", "نمبر", "تذکره", "شفاخانه", "دوسیه", "معاش", "پول", "شماره", "بیمارستان"}
)
NOUN_ENDINGS = frozenset(
    {"ها", "های", "ام", "ات", "اش", "م", "ت", "ش", "مان", "تان", "شان", "ی", "ای", "هایم"}
)

# "می" and "نمی" written apart from their verb (می خوام): joined before matching.
VERB_PREFIXES = frozenset({"می", "نمی"})
