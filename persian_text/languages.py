"""The language registry: which languages the system speaks, as data (languages.yml).

Both runtimes validate a language code through it and ask it for a language's
direction, digits and SMS alphabet; nothing else names a language in code.
`registry()` is the one in use: the file given to `use()` by the settings of
either runtime (`LANGUAGES_FILE`), else that environment variable, else
persian_text/languages.yml. A registry file may also list `texts`: folders of
extra catalogues mirroring the source tree (persian_text/catalogue.py merges
them), so a deployment or a test adds a language without touching the code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

DEFAULT_FILE = Path(__file__).resolve().with_name("languages.yml")
ENV_VAR = "LANGUAGES_FILE"
ASCII_DIGITS = "0123456789"

Audience = Literal["people", "console"]
_DIRECTIONS = ("rtl", "ltr")
_ALPHABETS = ("ucs2", "gsm7")


class UnknownLanguage(ValueError):
    """A code that the registry does not hold for the purpose asked."""


class RegistryError(ValueError):
    """A registry file that does not say what the system needs."""


@dataclass(frozen=True)
class Language:
    code: str
    native: str
    english: str
    direction: Literal["rtl", "ltr"]
    digits: str  # "0".."9" as written in this language
    sms: Literal["ucs2", "gsm7"]
    people: bool
    console: bool
    offer: str | None = None

    def with_digits(self, text: str) -> str:
        """`text` with its ASCII digits written in this language's digits."""
        return text.translate(str.maketrans(ASCII_DIGITS, self.digits))

    def serves(self, audience: Audience) -> bool:
        return self.people if audience == "people" else self.console


@dataclass(frozen=True)
class Registry:
    languages: tuple[Language, ...]
    default: str
    source: Path
    texts: tuple[Path, ...] = ()

    def __iter__(self) -> Iterator[Language]:
        return iter(self.languages)

    def __contains__(self, code: object) -> bool:
        return any(language.code == code for language in self.languages)

    def get(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise UnknownLanguage(f"unknown language {code!r}")

    def codes(self, audience: Audience) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages if lang.serves(audience))

    def check(self, code: str, audience: Audience = "people") -> str:
        """`code` if it is a language of `audience`; UnknownLanguage otherwise."""
        if code not in self.codes(audience):
            raise UnknownLanguage(f"{code!r} is not one of {', '.join(self.codes(audience))}")
        return code

    def pick(self, code: str | None, audience: Audience = "people") -> Language:
        """The language `code` if it serves `audience`, else the default language."""
        if code in self.codes(audience):
            assert code is not None
            return self.get(code)
        return self.get(self.default)

    def offer(self, code: str) -> str:
        """The language offered with one tap to a person writing in `code`."""
        offered = self.pick(code).offer
        return offered if offered is not None else self.default


def load(path: Path) -> Registry:
    """The registry of a file; RegistryError names what is wrong with it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("languages"), list):
        raise RegistryError(f"{path}: expected `default` and a list of `languages`")
    languages = tuple(_language(path, entry) for entry in data["languages"])
    codes = [language.code for language in languages]
    if len(set(codes)) != len(codes):
        raise RegistryError(f"{path}: a language code appears twice")
    registry = Registry(
        languages=languages,
        default=str(data.get("default", "")),
        source=path,
        texts=tuple(path.parent / str(folder) for folder in data.get("texts", [])),
    )
    default = registry.get(registry.default) if registry.default in registry else None
    if default is None or not (default.people and default.console):
        raise RegistryError(f"{path}: `default` must be a language of people and the console")
    for language in languages:
        if language.people and registry.offer(language.code) not in registry.codes("people"):
            raise RegistryError(f"{path}: {language.code} offers a language people cannot use")
    return registry


def _language(path: Path, entry: Any) -> Language:
    if not isinstance(entry, dict):
        raise RegistryError(f"{path}: each language is a mapping")
    code = entry.get("code")
    missing = [
        name
        for name in ("code", "native", "english", "direction", "digits", "sms")
        if not isinstance(entry.get(name), str)
    ]
    if missing:
        raise RegistryError(f"{path}: language {code!r} lacks {', '.join(missing)}")
    if entry["direction"] not in _DIRECTIONS:
        raise RegistryError(f"{path}: {code}: direction is rtl or ltr")
    if entry["sms"] not in _ALPHABETS:
        raise RegistryError(f"{path}: {code}: sms is ucs2 or gsm7")
    if len(entry["digits"]) != 10:
        raise RegistryError(f"{path}: {code}: digits are the ten digits 0-9")
    return Language(
        code=entry["code"],
        native=entry["native"],
        english=entry["english"],
        direction=entry["direction"],
        digits=entry["digits"],
        sms=entry["sms"],
        people=bool(entry.get("people", False)),
        console=bool(entry.get("console", False)),
        offer=entry.get("offer"),
    )


_active: Registry | None = None


def use(path: Path | str | None) -> Registry:
    """Make the registry of `path` (None: $LANGUAGES_FILE, else the default file) the one
    in use. The settings of each runtime call it; tests call it with a fixture."""
    global _active
    chosen = Path(path or os.environ.get(ENV_VAR) or DEFAULT_FILE).resolve()
    if _active is None or _active.source != chosen:
        _active = load(chosen)
    return _active


def registry() -> Registry:
    """The registry in use (loaded once)."""
    return _active if _active is not None else use(None)
