"""Catalogues of user-facing texts: one format, one loader.

A catalogue is a YAML mapping of keys, each with one text per language:

    case_status:
      fa: "وضعیت درخواست {reference}: {status}."
      prs: "وضعیت درخواست {reference}: {status}."

A catalogue serves an audience (persian_text/languages.py): `people` (what a
person reads: every people language) or `console` (staff pages). Every key has
a text in every language of its audience and in no other; a file that misses one
fails to load with the file, key and language named, so a language is never half
added and there is no fallback at run time. The folders of extra catalogues a
registry lists (`texts`) are merged in, entry by entry, at the catalogue's path
relative to the source tree. Loaded once per registry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from persian_text.languages import Audience, Registry, UnknownLanguage, registry

ROOT = Path(__file__).resolve().parent.parent


class CatalogueError(ValueError):
    """A catalogue that lacks a text, or is not in the catalogue format."""


@dataclass(frozen=True)
class Catalogue:
    path: Path
    audience: Audience
    entries: Mapping[str, Mapping[str, str]]

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def keys(self) -> list[str]:
        return list(self.entries)

    def entry(self, key: str) -> Mapping[str, str]:
        """The texts of `key`, by language code."""
        return self.entries[key]

    def text(self, key: str, language: str, **params: object) -> str:
        """The text `key` in `language`, `{name}` filled in from `params`."""
        texts = self.entries[key]
        if language not in texts:
            raise UnknownLanguage(f"{language!r} is not a language of {self.path.name}")
        return texts[language].format(**params) if params else texts[language]


def load(path: Path, audience: Audience) -> Catalogue:
    """The catalogue at `path` for `audience`, under the registry in use."""
    return _load(path.resolve(), audience, registry())


@lru_cache
def _load(path: Path, audience: Audience, languages: Registry) -> Catalogue:
    entries = _read(path)
    relative = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)
    for folder in languages.texts:
        extra = folder / relative
        if extra.exists():
            for key, texts in _read(extra).items():
                entries[key] = {**entries.get(key, {}), **texts}
    wanted = set(languages.codes(audience))
    for key, texts in entries.items():
        missing = sorted(wanted - set(texts))
        if missing:
            raise CatalogueError(f"{path}: {key} has no text in {', '.join(missing)}")
        stray = sorted(set(texts) - wanted)
        if stray:
            raise CatalogueError(f"{path}: {key} has texts in {', '.join(stray)}, not {audience}")
    return Catalogue(path, audience, entries)


def _read(path: Path) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: a catalogue is a mapping of keys")
    entries: dict[str, dict[str, str]] = {}
    for key, texts in data.items():
        if not isinstance(texts, dict) or not all(
            isinstance(code, str) and isinstance(text, str) for code, text in texts.items()
        ):
            raise CatalogueError(f"{path}: {key} is not one text per language")
        entries[str(key)] = dict(texts)
    return entries
