"""A third language, Pashto ("ps"), added by data only: the registry of
tests/fixtures/pashto/languages.yml and a Pashto text for every key of every catalogue.

The fixture holds real Pashto for the texts the tests read (fixtures/pashto/texts,
mirroring the source tree); every other key gets a stand-in, "[ps] " and its Farsi
text, written next to a copy of the registry at test time, because the loader
refuses a catalogue that lacks a language. Standard library, PyYAML and
persian_text only: the service's and the bot's tests both use it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from persian_text import catalogue, languages

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "pashto"
CODE = "ps"
# Every catalogue of the source tree and its audience (persian_text/catalogue.py).
CATALOGUES: dict[str, languages.Audience] = {
    "channels/texts/messages.yml": "people",
    "feedback_api/cases/status_labels.yml": "people",
    "feedback_api/cases/category_labels.yml": "people",
    "feedback_api/console/texts/closing.yml": "people",
    "feedback_api/console/texts/ui.yml": "console",
    "feedback_api/dashboard/texts.yml": "console",
}


def stand_in(text: str) -> str:
    return f"[{CODE}] {text}"


def write_registry(folder: Path) -> Path:
    """The fixture registry in `folder`, with every catalogue given its Pashto texts."""
    registry = folder / "languages.yml"
    shutil.copy(FIXTURE / "languages.yml", registry)
    for relative in CATALOGUES:
        base = yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))
        written = FIXTURE / "texts" / relative
        pashto = yaml.safe_load(written.read_text(encoding="utf-8")) if written.exists() else {}
        merged = {key: {CODE: stand_in(texts["fa"])} for key, texts in base.items()}
        merged.update(pashto)
        target = folder / "texts" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(merged, allow_unicode=True), encoding="utf-8")
    return registry


@contextmanager
def pashto_registered(folder: Path) -> Iterator[languages.Registry]:
    """Pashto registered while inside; the registry in use before, after."""
    before = languages.registry().source
    try:
        yield languages.use(write_registry(folder))
    finally:
        languages.use(before)


def written_pashto(relative: str, key: str) -> str:
    """The Pashto text of `key` that the fixture holds (not a stand-in)."""
    data = yaml.safe_load((FIXTURE / "texts" / relative).read_text(encoding="utf-8"))
    return str(data[key][CODE])


def load(relative: str) -> catalogue.Catalogue:
    return catalogue.load(ROOT / relative, CATALOGUES[relative])
