"""Province names: the canonical English names the API accepts.

Read from the service's data file (the same provinces.csv as the contract),
not imported: the bot runtime shares no code with the service.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from persian_text import matching_key, normalize

_CSV = Path(__file__).resolve().parents[1] / "feedback_api" / "taxonomy" / "provinces.csv"


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """matching key of every spelling (English, Persian, capital) -> canonical name."""
    names: dict[str, str] = {}
    with _CSV.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            for spelling in (row["name_en"], row["name_fa"], row["capital_en"], row["capital_fa"]):
                names[matching_key(spelling)] = row["name_en"]
    return names


@lru_cache(maxsize=1)
def _persian() -> dict[str, str]:
    with _CSV.open(encoding="utf-8") as rows:
        return {row["name_en"]: row["name_fa"] for row in csv.DictReader(rows)}


def persian_name(name: str) -> str:
    """The Persian name of a canonical province name (the same in Dari and Farsi)."""
    return _persian().get(name, name)


def canonical(text: str | None) -> str | None:
    """The province a value names or mentions, else None."""
    if not text:
        return None
    # Whole words only ("فارسی" is not Fars), longest phrases first so that
    # "خراسان رضوی" wins over a shorter match.
    words = normalize(text).split()
    for size in (4, 3, 2, 1):
        for start in range(len(words) - size + 1):
            name = _names().get(matching_key(" ".join(words[start : start + size])))
            if name:
                return name
    return None
