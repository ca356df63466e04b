"""Disclosure triage: is this message a report of SEA, CSG, SAF, FRD or MIS?

Every inbound text goes through `triage()` on every channel and at any point of
a conversation (first message, inside a form, during a live chat), and so does
every case description. It combines
- rules (cues.yml): look-alike phrases rewritten to neutral words ("کمک جنسی"
  is in-kind aid), unambiguous phrases that settle a category, and phrases of
  danger to life, which make the reply give the emergency numbers;
- a model (model.py) trained on the labelled set in bot/triage/train.

When the model is unsure between a sensitive and an ordinary class, or between
two sensitive classes, the message is routed up: S3 (SEA, CSG, SAF) before S2
(FRD, MIS) before ordinary. Missing a disclosure is worse than showing a
focal point an ordinary complaint.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import pickle
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI

from feedback_api.safeguarding.model import TriageModel, words
from feedback_api.settings import ROOT, VAR_DIR
from feedback_api.taxonomy import load_taxonomy

HERE = Path(__file__).resolve().parent
TRIAGE_SET = ROOT / "bot" / "triage"
ORDINARY = "NONE"
# Most protective first: the order in which an unsure message is routed up.
S3 = ("SEA", "CSG", "SAF")
SENSITIVE = (*S3, "FRD", "MIS")
LABELS = (*SENSITIVE, ORDINARY)
_ENDINGS = "(?:ه|ی|م|ن|ند|ست|است|ام|اند|ها|های|هایی|ای|ش|شان|مان|تان)?"


@dataclass(frozen=True)
class Thresholds:
    """Where the model stops being sure, as gaps between SVM margins (chosen by
    cross-validation on the training set, `evaluate --cv`).

    - `unsure`: a sensitive class this close behind the ordinary one wins;
    - `close`: an S3 class this close behind an S2 one wins.
    """

    unsure: float = 0.2
    close: float = 0.2


@dataclass(frozen=True)
class Triage:
    category: str | None  # SEA, CSG, SAF, FRD, MIS; None for an ordinary message
    danger: bool  # a threat to life: give the emergency numbers first
    reason: str  # "rule", "model", "route-up" or "" (ordinary)

    @property
    def sensitivity(self) -> str | None:
        if self.category is None:
            return None
        return load_taxonomy().category(self.category).sensitivity.value


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    # A phrase ending in "=" takes no endings: "جنس=" (goods) must not match "جنسی" (sexual).
    keys = {(" ".join(words(p)), p.endswith("=")) for p in phrases if words(p)}
    if not keys:
        return None
    longest_first = sorted(keys, key=lambda key: (-len(key[0]), key))
    alternatives = "|".join(
        re.escape(k) + ("" if exact else _ENDINGS) for k, exact in longest_first
    )
    return re.compile(rf"(?:^| )(?:{alternatives})(?= |$)")


@dataclass(frozen=True)
class Cues:
    lookalikes: list[tuple[re.Pattern[str], str]]
    danger: re.Pattern[str] | None
    categories: dict[str, re.Pattern[str]]

    def neutral(self, text: str) -> str:
        """The text as normalised words, look-alike phrases replaced by their neutral word."""
        line = " ".join(words(text))
        for pattern, word in self.lookalikes:
            line = pattern.sub(f" {word} ", line)
        return " ".join(line.split())

    def category(self, line: str) -> str | None:
        """The most protective category an unambiguous phrase of the text names."""
        return next(
            (code for code in SENSITIVE if (p := self.categories.get(code)) and p.search(line)),
            None,
        )


@lru_cache
def load_cues(path: Path = HERE / "cues.yml") -> Cues:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    lookalikes = [
        (pattern, word)
        for word, phrases in data["lookalikes"].items()
        if (pattern := _phrase_pattern(phrases)) is not None
    ]
    categories = {
        code: pattern
        for code, phrases in data["categories"].items()
        if (pattern := _phrase_pattern(phrases)) is not None
    }
    return Cues(lookalikes, _phrase_pattern(data["danger"]), categories)


def load_examples(split: str, root: Path = TRIAGE_SET) -> list[tuple[str, str, str]]:
    """(variety, text, label) of every example of a split (train or test)."""
    found: list[tuple[str, str, str]] = []
    for path in sorted((root / split).glob("*.yml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        variety = str(data.get("variety") or path.stem)
        for label in LABELS:
            found.extend((variety, str(text), label) for text in data.get(label) or [])
    return found


class Triager:
    def __init__(self, model: TriageModel, cues: Cues, thresholds: Thresholds) -> None:
        self.model = model
        self.cues = cues
        self.thresholds = thresholds

    def __call__(self, text: str) -> Triage:
        return self.many([text])[0]

    def many(self, texts: list[str]) -> list[Triage]:
        lines = [self.cues.neutral(text) for text in texts]
        return [
            self._combine(line, margins)
            for line, margins in zip(lines, self.model.margins(lines), strict=True)
        ]

    def _combine(self, line: str, margins: dict[str, float]) -> Triage:
        danger = bool(self.cues.danger and self.cues.danger.search(line))
        decided, reason = self.decide(margins)
        ruled = self.cues.category(line)
        if ruled is not None and (decided is None or _level(ruled) > _level(decided)):
            return Triage(ruled, danger, "rule")
        if decided is None and danger:
            return Triage("SAF", True, "rule")
        return Triage(decided, danger if decided else False, reason)

    def decide(self, margins: dict[str, float]) -> tuple[str | None, str]:
        """The model's category after routing up, and why."""
        first = max(margins, key=lambda label: margins[label])
        reason = "model"
        if first == ORDINARY:
            best = max(SENSITIVE, key=lambda c: margins[c])
            if margins[best] < margins[ORDINARY] - self.thresholds.unsure:
                return None, ""
            first, reason = best, "route-up"
        if _level(first) < 3:
            s3 = max(S3, key=lambda c: margins[c])
            if margins[s3] >= margins[first] - self.thresholds.close:
                return s3, "route-up"
        return first, reason


def _level(code: str) -> int:
    return 3 if code in S3 else 2


def build(examples: list[tuple[str, str, str]], thresholds: Thresholds | None = None) -> Triager:
    cues = load_cues()
    model = TriageModel().fit(
        [cues.neutral(text) for _variety, text, _label in examples],
        [label for _variety, _text, label in examples],
    )
    return Triager(model, cues, thresholds or Thresholds())


_building = threading.Lock()
_default: Triager | None = None


def default_triager() -> Triager:
    """The triager trained on the whole training set, built once per process (under a
    lock: the first messages of a busy start would otherwise each train one)."""
    global _default
    with _building:
        if _default is None:
            _default = _cached(load_examples("train"))
        return _default


def _cached(examples: list[tuple[str, str, str]]) -> Triager:
    """Training takes seconds of CPU; every process of a deployment (and of the tests) would
    repeat it. The fitted triager is kept in var/ under a digest of what makes it (the
    examples, the cues, this code), so a change to any of them trains a new one."""
    digest = hashlib.sha256(
        "\n".join(f"{v}\t{t}\t{label}" for v, t, label in examples).encode()
        + (HERE / "cues.yml").read_bytes()
        + (HERE / "model.py").read_bytes()
        + Path(__file__).read_bytes()
    ).hexdigest()[:16]
    path = VAR_DIR / "triage" / f"triager-{digest}.pickle"
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
        loaded = pickle.loads(path.read_bytes())  # noqa: S301 (written by this service, below)
        if isinstance(loaded, Triager):
            return loaded
    triager = build(examples)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(triager))
    partial.replace(path)  # atomic: a concurrent reader never sees half a file
    for old in path.parent.glob("triager-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
    return triager


@contextlib.asynccontextmanager
async def warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Load (or train) before serving: a message must never wait for the model inside a
    database transaction (on SQLite that would hold every writer back)."""
    await asyncio.to_thread(default_triager)
    yield


if __name__ == "__main__":
    # `make triage`: train once, ahead of the service's start.
    default_triager()


def triage(text: str | None) -> Triage:
    """The disclosure category of a message (None when it is ordinary)."""
    if not text or not text.strip():
        return Triage(None, False, "")
    return default_triager()(text)
