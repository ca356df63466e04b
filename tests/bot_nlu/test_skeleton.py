"""The consonant skeleton: one Persian-script and one Finglish spelling of a word meet."""

from __future__ import annotations

import pytest
from nlu_components.normalizer import PersianNormalizer
from nlu_components.skeleton import SkeletonCountVectorsFeaturizer, skeleton
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@pytest.mark.parametrize(
    ("persian", "latin"),
    [
        ("میخوام", "mikham"),
        ("میخام", "mixam"),
        ("شکایت", "shekayat"),
        ("شکایت", "shikayat"),
        ("پیسه", "pesa"),
        ("پیسه", "paisa"),
        ("نقد", "naqd"),
        ("نقد", "naghd"),
        ("خانه", "khane"),
        ("خانه", "khaneh"),
        ("تذکره", "tazkira"),
        ("شفاخانه", "shafakhana"),
        ("کمک", "komak"),
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


def test_a_word_of_vowels_only_has_a_placeholder() -> None:
    assert skeleton("او") == skeleton("ooo") == "_"


def test_finglish_and_persian_examples_get_the_same_features(
    storage: LocalModelStorage, resource: Resource, context: ExecutionContext
) -> None:
    def tokenised(text: str) -> Message:
        message = Message({TEXT: text, "intent": "file_complaint"})
        PersianNormalizer().process([message])
        WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
        return message

    persian = tokenised("میخام شکایت کنم")
    latin = tokenised("mikham shekayat konam")
    other = tokenised("komak naghdi")
    featurizer = SkeletonCountVectorsFeaturizer.create(
        SkeletonCountVectorsFeaturizer.get_default_config(), storage, resource, context
    )
    featurizer.train(TrainingData([persian, other]))
    featurizer.process([persian, latin])
    _, persian_sentence = persian.get_sparse_features(TEXT)
    _, latin_sentence = latin.get_sparse_features(TEXT)
    assert persian_sentence is not None and latin_sentence is not None
    assert (persian_sentence.features != latin_sentence.features).nnz == 0
    assert persian_sentence.features.nnz == 3
