"""The evaluation arithmetic, without a model."""

from __future__ import annotations

import pytest
from eval.metrics import Case, confusions, entity_scores, intent_scores, macro_f1


def case(intent: str, predicted: str, variety: str = "fa") -> Case:
    return Case(variety=variety, text="x", intent=intent, predicted=predicted, confidence=0.9)


def test_macro_f1_counts_fallback_as_a_miss() -> None:
    gold = ["greet", "greet", "deny", "deny"]
    assert macro_f1(gold, gold) == 1.0
    # greet: tp 1, fn 1 -> 2/3; deny: tp 2, fp 0 -> 1.0
    assert macro_f1(gold, ["greet", "nlu_fallback", "deny", "deny"]) == pytest.approx(
        (2 / 3 + 1) / 2
    )


def test_intent_scores_and_confusions() -> None:
    cases = [
        case("a", "a"),
        case("a", "b"),
        case("b", "b"),
        case("a", "b"),
        case("b", "nlu_fallback"),
    ]
    scores = intent_scores(cases)
    assert scores["accuracy"] == pytest.approx(2 / 5)
    assert scores["fallbacks"] == 1
    assert confusions(cases)[0] == ("a", "b", 2)


def test_entity_scores_compare_type_and_value() -> None:
    good = case("check_case_status", "check_case_status")
    good.entities = [{"entity": "case_reference", "value": "12345678"}]
    good.predicted_entities = [{"entity": "case_reference", "value": "12345678"}]
    bad = case("ask_health", "ask_health")
    bad.entities = [{"entity": "province", "value": "Tehran"}]
    bad.predicted_entities = [{"entity": "province", "value": "ورامین"}]
    scores = entity_scores([good, bad])
    assert (scores["expected"], scores["found"], scores["spurious"]) == (2, 1, 1)
