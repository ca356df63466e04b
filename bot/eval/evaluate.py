"""Evaluate the trained NLU model on bot/tests/nlu, per variety.

The variety is the test file's name (fa.yml, prs.yml, latin.yml, noisy.yml).
Prints accuracy and macro-F1 (a fallback counts as a miss) overall and per
variety, the commonest confusions and entity results; writes them to the
results directory; exits 1 when a variety is under the threshold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.model import get_local_model
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog

from eval.metrics import Case, confusions, entity_scores, intent_scores, per_intent

VARIETIES = ("fa", "prs", "latin", "noisy")


def load_tests(tests: Path) -> list[tuple[str, Any]]:
    found = []
    for path in sorted(tests.glob("*.yml")):
        if path.stem not in VARIETIES:
            sys.exit(f"{path}: test files are named after a variety {VARIETIES}")
        found += [(path.stem, message) for message in load_data(str(path)).intent_examples]
    return found


async def predict(model: str, tests: list[tuple[str, Any]]) -> list[Case]:
    agent = Agent.load(model)
    cases = []
    for variety, message in tests:
        parsed = await agent.parse_message(message.get("text"))
        cases.append(
            Case(
                variety=variety,
                text=message.get("text"),
                intent=message.get("intent"),
                predicted=parsed["intent"]["name"],
                confidence=parsed["intent"]["confidence"],
                entities=message.get("entities") or [],
                predicted_entities=parsed.get("entities") or [],
            )
        )
    return cases


def report(cases: list[Case]) -> dict[str, Any]:
    groups = {"overall": cases} | {v: [c for c in cases if c.variety == v] for v in VARIETIES}
    return {
        "intents": {name: intent_scores(group) for name, group in groups.items() if group},
        "per_intent": per_intent(cases),
        "confusions": [
            {"intent": g, "predicted": p, "count": n} for g, p, n in confusions(cases, top=15)
        ],
        "entities": entity_scores(cases),
        "errors": [
            {
                "variety": c.variety,
                "text": c.text,
                "intent": c.intent,
                "predicted": c.predicted,
                "confidence": round(c.confidence, 3),
            }
            for c in cases
            if c.intent != c.predicted
        ],
    }


def print_report(result: dict[str, Any], threshold: float) -> None:
    print(f"\n{'variety':<9}{'examples':>9}{'accuracy':>10}{'macro-F1':>10}{'fallback':>10}")
    for name, s in result["intents"].items():
        flag = (
            ""
            if name == "overall" or min(s["accuracy"], s["macro_f1"]) >= threshold
            else "  < threshold"
        )
        scores = f"{s['accuracy']:>10.3f}{s['macro_f1']:>10.3f}{s['fallbacks']:>10}"
        print(f"{name:<9}{s['examples']:>9}{scores}{flag}")
    print("\nmost frequent confusions (intent -> predicted: count)")
    for c in result["confusions"]:
        print(f"  {c['intent']} -> {c['predicted']}: {c['count']}")
    e = result["entities"]
    print(f"\nentities: {e['found']}/{e['expected']} with the right value, {e['spurious']} extra")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default="models", help="model file or directory (latest model)")
    parser.add_argument("--tests", default="tests/nlu")
    parser.add_argument("--out", default="results")
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.9,
        help="minimum accuracy and macro-F1 of every variety",
    )
    args = parser.parse_args()
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    model = get_local_model(args.models)
    cases = asyncio.run(predict(model, load_tests(Path(args.tests))))
    result = report(cases) | {"model": Path(model).name, "threshold": args.threshold}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu_eval.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print_report(result, args.threshold)
    print(f"\nwritten to {out / 'nlu_eval.json'}")

    below = [
        name
        for name, s in result["intents"].items()
        if name != "overall" and min(s["accuracy"], s["macro_f1"]) < args.threshold
    ]
    if below:
        print(f"FAIL: {', '.join(below)} under {args.threshold}")
        sys.exit(1)


if __name__ == "__main__":
    main()
