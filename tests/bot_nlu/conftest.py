"""Fixtures for the NLU component tests: training data and a model storage."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("rasa", reason="bot runtime tests: run them with .venv-bot")

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

BOT = Path(__file__).resolve().parents[2] / "bot"
# The pipeline refers to the components as nlu_components.*, as the scripts do.
sys.path.insert(0, str(BOT))


@pytest.fixture(scope="session")
def training_data() -> TrainingData:
    return load_data(str(BOT / "data" / "nlu"))


@pytest.fixture(scope="session")
def test_data() -> TrainingData:
    return load_data(str(BOT / "tests" / "nlu"))


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def resource() -> Resource:
    return Resource("entities")
