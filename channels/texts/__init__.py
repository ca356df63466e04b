"""The gateway's own sentences in Farsi (fa) and Dari (prs), from texts/{fa,prs}.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
LANGUAGES = ("fa", "prs")


@lru_cache
def catalogue(language: str) -> dict[str, Any]:
    data = yaml.safe_load((HERE / f"{language}.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def pick_language(language: str | None) -> str:
    if language in LANGUAGES:
        assert language is not None
        return language
    from feedback_api.settings import get_settings

    return get_settings().channels_default_language


def text(key: str, language: str | None, **params: str) -> str:
    """The sentence `key` in the language (the default language when unknown)."""
    value = catalogue(pick_language(language))[key]
    if not isinstance(value, str):
        raise KeyError(f"{key} is not a sentence")
    return value.format(**params) if params else value


def options(key: str, language: str | None) -> list[str]:
    value = catalogue(pick_language(language))[key]
    assert isinstance(value, list)
    return [str(item) for item in value]


def sentence_keys() -> list[str]:
    return sorted(k for k, v in catalogue("fa").items() if isinstance(v, str))
