"""Intent and entity metrics, pure Python so they can be unit-tested without a model."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """One test message: what the test file says and what the model answered."""

    variety: str
    text: str
    intent: str
    predicted: str
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)
    predicted_entities: list[dict[str, Any]] = field(default_factory=list)


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    """Mean F1 over the intents in `gold`; a prediction outside them (nlu_fallback) is a miss."""
    labels = sorted(set(gold))
    if not labels:
        return 0.0
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def intent_scores(cases: list[Case]) -> dict[str, Any]:
    gold = [c.intent for c in cases]
    predicted = [c.predicted for c in cases]
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return {
        "examples": len(cases),
        "accuracy": correct / len(cases) if cases else 0.0,
        "macro_f1": macro_f1(gold, predicted),
        "fallbacks": sum(p == "nlu_fallback" for p in predicted),
    }


def per_intent(cases: list[Case]) -> dict[str, dict[str, float]]:
    out = {}
    for label in sorted({c.intent for c in cases}):
        tp = sum(c.intent == label and c.predicted == label for c in cases)
        fp = sum(c.intent != label and c.predicted == label for c in cases)
        fn = sum(c.intent == label and c.predicted != label for c in cases)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def confusions(cases: list[Case], top: int = 10) -> list[tuple[str, str, int]]:
    pairs = Counter((c.intent, c.predicted) for c in cases if c.intent != c.predicted)
    return [(gold, pred, n) for (gold, pred), n in pairs.most_common(top)]


def entity_scores(cases: list[Case]) -> dict[str, Any]:
    """Each annotated entity must come out with its type and expected value.

    The expected value is the annotation's value (test files give canonical
    values: a province name_en, fa/prs, 8 ASCII digits).
    """
    expected = found = spurious = 0
    misses = []
    for case in cases:
        wanted = {(e["entity"], e["value"]) for e in case.entities}
        got = {(e["entity"], e["value"]) for e in case.predicted_entities}
        expected += len(wanted)
        found += len(wanted & got)
        spurious += len(got - wanted)
        misses += (
            [{"text": case.text, "missing": sorted(wanted - got), "extra": sorted(got - wanted)}]
            if wanted != got
            else []
        )
    return {
        "expected": expected,
        "found": found,
        "recall": found / expected if expected else 1.0,
        "spurious": spurious,
        "errors": misses,
    }
