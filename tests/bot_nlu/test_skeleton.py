"""The skeleton featurizer: a Persian-script and a Finglish sentence get the same features."""

from __future__ import annotations

from nlu_components.normalizer import PersianNormalizer
from nlu_components.skeleton import SkeletonCountVectorsFeaturizer
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


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
