"""Language codes in requests, checked against the registry (persian_text/languages.yml).

`Language`: a language people write in (contacts, cases, the bot API);
`ConsoleLanguage`: one staff pages can be shown in (the dashboard's labels).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from persian_text import languages


def _people(value: str) -> str:
    return languages.registry().check(value, "people")


def _console(value: str) -> str:
    return languages.registry().check(value, "console")


Language = Annotated[str, AfterValidator(_people)]
ConsoleLanguage = Annotated[str, AfterValidator(_console)]


def default_language() -> str:
    """The language of a person whose language is not known, and of the console."""
    return languages.registry().default
