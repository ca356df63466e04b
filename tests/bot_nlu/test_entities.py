"""Province, language and case-reference extraction with canonical values."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from nlu_components.entities import PersianEntityExtractor, find_case_references
from nlu_components.normalizer import PersianNormalizer
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

PROVINCES = Path(__file__).resolve().parents[2] / "feedback_api" / "taxonomy" / "provinces.csv"
CONFIG = Path(__file__).resolve().parents[2] / "bot" / "config.yml"


@pytest.fixture
def extractor(
    training_data: TrainingData,
    storage: LocalModelStorage,
    resource: Resource,
    context: ExecutionContext,
) -> PersianEntityExtractor:
    """Trained, persisted and loaded again with the pipeline's configuration."""
    import yaml

    [step] = [
        s
        for s in yaml.safe_load(CONFIG.read_text())["pipeline"]
        if s["name"].endswith("EntityExtractor")
    ]
    config = {**PersianEntityExtractor.get_default_config(), **step}
    PersianEntityExtractor.create(config, storage, resource, context).train(training_data)
    return PersianEntityExtractor.load(config, storage, resource, context)


def extract(extractor: PersianEntityExtractor, text: str) -> list[tuple[str, str]]:
    [message] = PersianNormalizer().process([Message({TEXT: text})])
    [message] = extractor.process([message])
    return [(e["entity"], e["value"]) for e in message.get("entities", [])]


def provinces() -> list[dict[str, str]]:
    with PROVINCES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("column", ["name_en", "name_fa", "capital_en", "capital_fa"])
def test_every_province_and_capital_maps_to_its_canonical_name(
    extractor: PersianEntityExtractor, column: str
) -> None:
    # Province names take a cue word: some are also common words (مرکزی, فارس).
    cue = "استان " if column.startswith("name") else ""
    for row in provinces():
        text = f"من در {cue}{row[column]} هستم"
        assert extract(extractor, text) == [("province", row["name_en"])], text


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("تو مشهد زندگی می‌کنم", "Razavi Khorasan"),
        ("در ولایت اصفهان استم", "Isfahan"),
        ("i live in mashad", "Razavi Khorasan"),
        ("ما ورامين هستيم", "Tehran"),  # Arabic yeh
        ("اسلام شهر", "Tehran"),  # split word
        ("اسلام\u200cشهر", "Tehran"),
        ("eslamshahr", "Tehran"),
        ("خرم آباد", "Lorestan"),
        ("بندرعباس", "Hormozgan"),
        ("bandar abbas", "Hormozgan"),
        ("kohgiluyeh and boyer-ahmad", "Kohgiluyeh and Boyer-Ahmad"),
        ("تهرانم", "Tehran"),  # Persian ending
        ("درتهران کار میکنم", "Tehran"),  # missing space after a preposition
        ("یزدی هستیم", "Yazd"),
        ("shiraz", "Fars"),
        ("کرج", "Alborz"),
        ("قم", "Qom"),
        ("کرمان", "Kerman"),
        ("کرمانشاه", "Kermanshah"),  # the longer name wins
        ("زاهدان", "Sistan and Baluchestan"),
        ("golshahr", "Razavi Khorasan"),
    ],
)
def test_cities_and_spellings(extractor: PersianEntityExtractor, text: str, province: str) -> None:
    assert extract(extractor, text) == [("province", province)]


@pytest.mark.parametrize(
    "text",
    [
        "دفتر مرکزی شما کجاست؟ می‌خوام شکایت کنم",  # "central", not Markazi
        "کشتی‌ها تو خلیج فارس هستن و من کار می‌خوام",
        "شهریار پسر همسایه ماست و کار می‌خواد",
        "سلام وقت بخیر",
    ],
)
def test_common_words_are_not_provinces(extractor: PersianEntityExtractor, text: str) -> None:
    assert extract(extractor, text) == []


def test_ambiguous_names_count_after_a_cue_or_as_a_short_answer(
    extractor: PersianEntityExtractor,
) -> None:
    assert extract(extractor, "مرکزی") == [("province", "Markazi")]
    assert extract(extractor, "ما در استان مرکزی زندگی می‌کنیم و کار نداریم") == [
        ("province", "Markazi")
    ]
    assert extract(extractor, "ولایت گلستان هستیم ما و خانه نداریم") == [("province", "Golestan")]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("دری", "prs"),
        ("لطفا فارسی بنویس", "fa"),
        ("به فارسی دری بنویسید", "prs"),
        ("farsi", "fa"),
        ("DARI please", "prs"),
        ("زبان افغانی", "prs"),
        ("پارسی", "fa"),
    ],
)
def test_language(extractor: PersianEntityExtractor, text: str, language: str) -> None:
    assert extract(extractor, text) == [("language", language)]


def test_farsi_is_a_language_not_fars_province(extractor: PersianEntityExtractor) -> None:
    assert extract(extractor, "فارسی") == [("language", "fa")]


@pytest.mark.parametrize(
    "text",
    [
        "کد پیگیری ۱۲۳۴-۵۶۷۸",
        "1234 5678",
        "١٢٣٤٥٦٧٨",
        "شماره ۱۲۳۴ ۵۶۷۸ چی شد؟",
        "code: 12345678.",
        "۱۲۳۴ـ۵۶۷۸",  # tatweel typed as a hyphen
        "١٢٣٤-٥٦٧٨",
    ],
)
def test_case_reference_is_eight_ascii_digits(extractor: PersianEntityExtractor, text: str) -> None:
    assert extract(extractor, text) == [("case_reference", "12345678")]


@pytest.mark.parametrize("text", ["09121234567", "123456789", "1234567", "سال ۱۴۰۳"])
def test_other_numbers_are_not_case_references(text: str) -> None:
    assert find_case_references(text) == []


def test_offsets_point_at_the_normalised_text(extractor: PersianEntityExtractor) -> None:
    [message] = PersianNormalizer().process([Message({TEXT: "من  در  ولايت   كرمان\u200f هستم"})])
    [message] = extractor.process([message])
    [found] = message.get("entities")
    assert message.get(TEXT)[found["start"] : found["end"]] == "ولایت کرمان"
    assert found["extractor"] == "PersianEntityExtractor"
