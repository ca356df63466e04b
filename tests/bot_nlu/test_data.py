"""The NLU data: contract intents in every variety, a held-out split that stays held out,
a development split that covers every intent, and no near-duplicates across varieties."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from persian_text import ZWNJ, matching_key, normalize

BOT = Path(__file__).resolve().parents[2] / "bot"
VARIETIES = ("fa", "prs", "latin", "noisy")
CONTRACT = {
    "greet", "goodbye", "thank", "affirm", "deny", "help", "request_human", "set_language",
    "ask_cash_assistance", "ask_shelter", "ask_health", "ask_mhpss", "ask_wash",
    "ask_livelihoods", "ask_documentation", "ask_labour_migration", "report_exploitation",
    "need_protection", "emergency", "file_complaint", "give_feedback", "report_misconduct",
    "check_case_status", "request_data_deletion", "out_of_scope",
}  # fmt: skip
# Intents beyond the contract (the intent table of issue 12).
EXTRA = {
    "more_info", "ask_privacy", "cancel", "ask_return", "ask_service_points", "list_my_cases",
    "ask_staff_conduct",
}  # fmt: skip
INTENTS = CONTRACT | EXTRA
ENTITIES = {"province", "case_reference", "language"}


def intents_of(path: Path) -> Counter:
    return Counter(m.get("intent") for m in load_data(str(path)).intent_examples)


def test_every_intent_in_every_variety() -> None:
    for variety in VARIETIES:
        counts = intents_of(BOT / "data" / "nlu" / variety)
        assert set(counts) == INTENTS, variety
        smallest = 25 if variety in ("fa", "prs") else 10
        assert min(counts.values()) >= smallest, (variety, counts.most_common()[-1])


def test_dev_split_covers_every_intent_in_every_variety() -> None:
    for variety in VARIETIES:
        counts = intents_of(BOT / "tests" / "nlu_dev" / f"{variety}.yml")
        assert set(counts) == INTENTS, (variety, INTENTS - set(counts))
        assert min(counts.values()) >= (8 if variety in ("fa", "prs") else 4), variety


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


def test_no_dev_sentence_is_in_the_training_data(training_data: TrainingData) -> None:
    seen = {matching_key(m.get("text")) for m in training_data.intent_examples}
    dev = load_data(str(BOT / "tests" / "nlu_dev"))
    assert [m.get("text") for m in dev.intent_examples if matching_key(m.get("text")) in seen] == []


# Near-duplicates: the same sentence in two varieties with a word or a spelling changed
# teaches the model nothing and inflates the counts. Two examples are near-duplicates when
# their matching keys (persian_text.matching_key: normalised, no spaces or ZWNJ) are equal,
# when their word sets overlap by a Jaccard index of at least 0.9, or when the keys are at
# least 8 characters long and at least 80% alike (difflib ratio), which catches one or two
# words changed (رو/را, تون/تان, می‌خوام/می‌خواهم) in a sentence.
NEAR_RATIO = 0.8
NEAR_JACCARD = 0.9
NEAR_MIN_CHARS = 8


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", normalize(text).replace(ZWNJ, " ").lower()))


def _letters(key: str) -> frozenset[tuple[str, int]]:
    """The key's letters as a multiset (each letter with its occurrence number)."""
    seen: Counter = Counter()
    out = []
    for c in key:
        out.append((c, seen[c]))
        seen[c] += 1
    return frozenset(out)


def near_duplicates(first: list[str], second: list[str]) -> list[tuple[str, str]]:
    """Pairs (a, b), a from `first` and b from `second`, that are near-duplicates."""

    def prepared(texts: list[str]) -> list[tuple[str, str, frozenset, frozenset]]:
        return [(t, k, _words(t), _letters(k)) for t in texts for k in (matching_key(t),)]

    a_items = prepared(first)
    b_items = sorted(prepared(second), key=lambda item: len(item[1]))
    b_lengths = [len(k) for _, k, _, _ in b_items]
    by_key: dict[str, list[str]] = {}
    by_words: dict[frozenset, list[str]] = {}
    for b, kb, wb, _ in b_items:
        by_key.setdefault(kb, []).append(b)
        by_words.setdefault(wb, []).append(b)
    # Different word sets reach the Jaccard threshold only with t / (1 - t) words in common.
    many = NEAR_JACCARD / (1 - NEAR_JACCARD) - 1e-9
    long_b = [(b, wb) for b, _, wb, _ in b_items if len(wb) >= many]
    found = set()
    for a, ka, wa, la in a_items:
        found.update((a, b) for b in by_key.get(ka, []) + (by_words.get(wa, []) if wa else []))
        if len(wa) >= many:
            found.update((a, b) for b, wb in long_b if len(wa & wb) / len(wa | wb) >= NEAR_JACCARD)
        if len(ka) < NEAR_MIN_CHARS:
            continue
        # A ratio of at least NEAR_RATIO needs lengths within a factor of r / (2 - r)
        # (widened by a hair: 12 * 1.2 / 0.8 is 17.999... in floating point).
        low = bisect.bisect_left(
            b_lengths, max(NEAR_MIN_CHARS, len(ka) * NEAR_RATIO / (2 - NEAR_RATIO) - 1e-9)
        )
        high = bisect.bisect_right(b_lengths, len(ka) * (2 - NEAR_RATIO) / NEAR_RATIO + 1e-9)
        for b, kb, _, lb in b_items[low:high]:
            # The letters the keys share bound the ratio from above.
            if 2 * len(la & lb) / (len(ka) + len(kb)) < NEAR_RATIO:
                continue
            if SequenceMatcher(None, ka, kb, autojunk=False).ratio() >= NEAR_RATIO:
                found.add((a, b))
    return sorted(found)


def test_near_duplicates_are_found() -> None:
    pairs = [
        ("کارت آمایشم رو چطوری تمدید کنم؟", "کارت آمایشم را چطور تمدید کنم؟"),
        ("کارمندتون بداخلاق بود", "کارمند تان بداخلاق بود"),
        ("شكايت دارم", "شکایت دارم"),
        ("می‌خوام شکایت کنم", "میخام شکایت کنم"),
    ]
    for a, b in pairs:
        assert near_duplicates([a], [b]) == [(a, b)]
    different = [
        ("کمک", "کمک نقدی"),
        ("بیمه سلامت چطوری بگیرم؟", "بیمه صحی را کجا تمدید می‌کنند؟"),
        ("درود", "درووود"),
    ]
    # Either way round (lengths 12 and 18 sit exactly on the bound).
    assert near_duplicates(["remove my data"], ["remove my data please"]) != []
    nine = "یک دو سه چهار پنج شش هفت هشت نه"
    assert near_duplicates([nine], [nine + " ده"]) == [(nine, nine + " ده")]
    for a, b in different:
        assert near_duplicates([a], [b]) == []


def test_no_near_duplicates_across_varieties() -> None:
    texts = {
        v: [m.get("text") for m in load_data(str(BOT / "data" / "nlu" / v)).intent_examples]
        for v in VARIETIES
    }
    found = [
        f"{a}: {x} ~ {b}: {y}"
        for a, b in itertools.combinations(VARIETIES, 2)
        for x, y in near_duplicates(texts[a], texts[b])
    ]
    assert found == [], f"{len(found)} near-duplicates:\n" + "\n".join(found)


def test_no_repeated_example_in_a_variety() -> None:
    for variety in VARIETIES:
        keys = Counter(
            matching_key(m.get("text"))
            for m in load_data(str(BOT / "data" / "nlu" / variety)).intent_examples
        )
        assert [k for k, n in keys.items() if n > 1] == [], variety


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
