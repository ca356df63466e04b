"""The gateway's own sentences (texts/messages.yml), in the person's language."""

from __future__ import annotations

from pathlib import Path

from persian_text import catalogue, languages

FILE = Path(__file__).resolve().with_name("messages.yml")


def messages() -> catalogue.Catalogue:
    return catalogue.load(FILE, "people")


def pick_language(language: str | None) -> str:
    """`language` if people can use it, else the default language of the registry."""
    return languages.registry().pick(language).code


def text(key: str, language: str | None, **params: str) -> str:
    """The sentence `key` in the language (the default language when unknown)."""
    return messages().text(key, pick_language(language), **params)


def options(key: str, language: str | None) -> list[str]:
    """The buttons of `key`: one a line."""
    return text(key, language).splitlines()


def is_language(code: str | None) -> bool:
    """Whether people can use the language `code` (a contact may store it)."""
    return code in languages.registry().codes("people")
