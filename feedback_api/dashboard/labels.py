"""Words on the dashboard: the texts of texts.yml and the display names of codes.

The figures keep codes (category, topic, province, channel, language); these
functions give the label shown beside a code, in Persian or English.
"""

from __future__ import annotations

from pathlib import Path

from feedback_api.taxonomy import load_provinces, load_taxonomy
from persian_text import catalogue

HERE = Path(__file__).resolve().parent
UNKNOWN = "_unknown"  # the row of cases without a value (no province given, ...)


def texts() -> catalogue.Catalogue:
    return catalogue.load(HERE / "texts.yml", "console")


def text(key: str, lang: str) -> str:
    return texts().text(key, lang)


def _coded(prefix: str, code: str, lang: str) -> str:
    """The label of `code` under `prefix` in texts.yml; the code itself when there is none."""
    key = f"{prefix}.{code}"
    return texts().text(key, lang) if key in texts() else code


def province_codes() -> dict[str, str]:
    """A P-code-like code per province: "IR" and its two-digit place in provinces.csv.

    Not the OCHA COD-AB P-code; replace this table when the COD-AB is adopted.
    """
    return {name: f"IR{index:02d}" for index, name in enumerate(load_provinces(), start=1)}


def label(dimension: str, code: str, lang: str) -> str:
    if code == UNKNOWN:
        return text("unknown", lang)
    if dimension == "category":
        category = load_taxonomy().categories.get(code)
        if category is None:
            return code
        return category.label_fa if lang == "fa" else category.label_en
    if dimension == "topic":
        return _coded("topic", code, lang)
    if dimension == "province":
        province = load_provinces().get(code)
        if province is None:
            return code
        return province.name_fa if lang == "fa" else province.name_en
    if dimension in ("channel", "language"):
        return _coded(dimension, code, lang)
    return code
