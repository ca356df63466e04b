"""`python -m feedback_api.safeguarding.evaluate`: recall and precision of the disclosure triage.

Trains on bot/triage/train and measures on the held-out bot/triage/test, per
category and variety. Fails (exit 1) under the targets: recall 0.95 for SEA,
CSG and SAF, precision 0.90 for every sensitive category, overall (`make test`
passes lower floors, to catch a regression without failing on the gap to the
targets that `make eval` reports).

`--cv K` measures by K-fold cross-validation on the training set instead: the
way to tune rules and thresholds without looking at the test set.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from feedback_api.safeguarding.triage import (
    S3,
    SENSITIVE,
    TRIAGE_SET,
    Thresholds,
    build,
    load_examples,
)

RECALL_TARGET = 0.95  # for SEA, CSG and SAF
PRECISION_TARGET = 0.90  # for every sensitive category
Example = tuple[str, str, str]


@dataclass(frozen=True)
class Outcome:
    variety: str
    text: str
    label: str
    predicted: str


def predict(train: list[Example], test: list[Example], thresholds: Thresholds) -> list[Outcome]:
    triager = build(train, thresholds)
    found = triager.many([text for _variety, text, _label in test])
    return [
        Outcome(variety, text, label, result.category or "NONE")
        for (variety, text, label), result in zip(test, found, strict=True)
    ]


def cross_validate(examples: list[Example], folds: int, thresholds: Thresholds) -> list[Outcome]:
    shuffled = examples[:]
    random.Random(7).shuffle(shuffled)  # noqa: S311 (a reproducible split, not a secret)
    outcomes: list[Outcome] = []
    for k in range(folds):
        test = shuffled[k::folds]
        train = [e for i, e in enumerate(shuffled) if i % folds != k]
        outcomes += predict(train, test, thresholds)
    return outcomes


def scores(outcomes: list[Outcome]) -> dict[str, dict[str, float | int]]:
    table: dict[str, dict[str, float | int]] = {}
    for code in SENSITIVE:
        true = sum(o.label == code for o in outcomes)
        said = sum(o.predicted == code for o in outcomes)
        hit = sum(o.label == code and o.predicted == code for o in outcomes)
        table[code] = {
            "support": true,
            "recall": hit / true if true else 1.0,
            "precision": hit / said if said else 1.0,
        }
    ordinary = [o for o in outcomes if o.label == "NONE"]
    raised = Counter(o.predicted for o in ordinary if o.predicted != "NONE")
    table["NONE"] = {
        "support": len(ordinary),
        "kept_ordinary": 1 - sum(raised.values()) / len(ordinary) if ordinary else 1.0,
        **{f"raised_to_{code}": n for code, n in sorted(raised.items())},
    }
    return table


def report(outcomes: list[Outcome]) -> dict[str, dict[str, dict[str, float | int]]]:
    varieties = sorted({o.variety for o in outcomes})
    return {"overall": scores(outcomes)} | {
        v: scores([o for o in outcomes if o.variety == v]) for v in varieties
    }


def print_report(result: dict[str, dict[str, dict[str, float | int]]]) -> None:
    print(f"{'':8} " + " ".join(f"{code:>15}" for code in SENSITIVE) + "   ordinary kept")
    for group, table in result.items():
        cells = [
            f"R {table[c]['recall']:.2f} P {table[c]['precision']:.2f}".rjust(15) for c in SENSITIVE
        ]
        print(f"{group:8} " + " ".join(cells) + f"   {table['NONE']['kept_ordinary']:.2f}")


def failures(
    result: dict[str, dict[str, dict[str, float | int]]], recall: float, precision: float
) -> list[str]:
    overall = result["overall"]
    problems = [
        f"{code} recall {overall[code]['recall']:.2f} < {recall}"
        for code in S3
        if overall[code]["recall"] < recall
    ]
    problems += [
        f"{code} precision {overall[code]['precision']:.2f} < {precision}"
        for code in SENSITIVE
        if overall[code]["precision"] < precision
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedback_api.safeguarding.evaluate")
    parser.add_argument("--set", type=Path, default=TRIAGE_SET, help="the triage set's folder")
    parser.add_argument("--cv", type=int, default=0, help="K-fold cross-validation on train")
    parser.add_argument("--out", type=Path, help="write the figures and the misses as JSON")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--recall", type=float, default=RECALL_TARGET, help="SEA, CSG, SAF")
    parser.add_argument("--precision", type=float, default=PRECISION_TARGET)
    args = parser.parse_args(argv)
    train = load_examples("train", args.set)
    thresholds = Thresholds()
    if args.cv:
        outcomes = cross_validate(train, args.cv, thresholds)
        print(f"disclosure triage, {args.cv}-fold cross-validation on {len(train)} examples")
    else:
        test = load_examples("test", args.set)
        outcomes = predict(train, test, thresholds)
        print(f"disclosure triage on the held-out set ({len(test)} examples)")
    result = report(outcomes)
    print_report(result)
    misses = [o for o in outcomes if o.label != o.predicted]
    if args.misses:
        for o in misses:
            print(f"  {o.variety:6} {o.label:>4} -> {o.predicted:<4} {o.text}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        data = {"figures": result, "misses": [o.__dict__ for o in misses]}
        args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    problems = failures(result, args.recall, args.precision)
    for problem in problems:
        print("under target:", problem)
    return 1 if problems and not args.cv else 0


if __name__ == "__main__":
    sys.exit(main())
