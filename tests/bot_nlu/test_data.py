"""The NLU data: contract intents in every variety, a held-out split that stays held out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from persian_text import matching_key

BOT = Path(__file__).resolve().parents[2] / "bot"
VARIETIES = ("fa", "prs", "latin", "noisy")
CONTRACT = {
    "greet", "goodbye", "thank", "affirm", "deny", "help", "request_human", "set_language",
    "ask_cash_assistance", "ask_shelter", "ask_health", "ask_mhpss", "ask_wash",
    "ask_livelihoods", "ask_documentation", "ask_labour_migration", "report_exploitation",
    "need_protection", "emergency", "file_complaint", "give_feedback", "report_misconduct",
    "check_case_status", "request_data_deletion", "out_of_scope",
}  # fmt: skip
INTENTS = CONTRACT | {"more_info", "ask_privacy"}
ENTITIES = {"province", "case_reference", "language"}


def intents_of(path: Path) -> Counter:
    return Counter(m.get("intent") for m in load_data(str(path)).intent_examples)


def test_every_intent_in_every_variety() -> None:
    for variety in VARIETIES:
        counts = intents_of(BOT / "data" / "nlu" / variety)
        assert set(counts) == INTENTS, variety
        smallest = 25 if variety in ("fa", "prs") else 10
        assert min(counts.values()) >= smallest, (variety, counts.most_common()[-1])


def test_test_split_covers_every_intent_in_every_variety() -> None:
    for variety in VARIETIES:
        counts = intents_of(BOT / "tests" / "nlu" / f"{variety}.yml")
        assert set(counts) == INTENTS, variety
        assert min(counts.values()) >= (8 if variety in ("fa", "prs") else 4), variety


def test_no_test_sentence_is_in_the_training_data(
    training_data: TrainingData, test_data: TrainingData
) -> None:
    seen = {matching_key(m.get("text")) for m in training_data.intent_examples}
    leaked = [
        m.get("text") for m in test_data.intent_examples if matching_key(m.get("text")) in seen
    ]
    assert leaked == []


def test_no_sentence_has_two_intents(training_data: TrainingData) -> None:
    intents: dict[str, set[str]] = {}
    for m in training_data.intent_examples:
        intents.setdefault(matching_key(m.get("text")), set()).add(m.get("intent"))
    assert {k: v for k, v in intents.items() if len(v) > 1} == {}


def test_only_contract_entities(training_data: TrainingData, test_data: TrainingData) -> None:
    used = {
        e["entity"]
        for d in (training_data, test_data)
        for m in d.entity_examples
        for e in m.get("entities")
    }
    assert used <= ENTITIES


def test_domain_declares_the_nlu_intents_and_entities() -> None:
    """`rasa data validate` needs them; the domain is written by the dialogue side."""
    declared_intents: set[str] = set()
    declared_entities: set[str] = set()
    for path in (BOT / "domain").glob("*.yml"):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        declared_intents |= {
            i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])
        }
        declared_entities |= {
            e if isinstance(e, str) else next(iter(e)) for e in domain.get("entities", [])
        }
    assert declared_intents >= INTENTS
    assert declared_entities >= ENTITIES
