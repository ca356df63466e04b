"""The feedback taxonomy and the province list, loaded as data.

`taxonomy.yml` and `provinces.csv` are copies of the shared contract files and
must stay identical to them (a test checks).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


class Sensitivity(StrEnum):
    S0 = "S0"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"

    @property
    def rank(self) -> int:
        return int(self.value[1])


class Role(StrEnum):
    operator = "operator"
    accountability_staff = "accountability_staff"
    cfm_manager = "cfm_manager"
    psea_focal_point = "psea_focal_point"
    protection_focal_point = "protection_focal_point"
    data_protection_officer = "data_protection_officer"
    admin = "admin"


@dataclass(frozen=True)
class Category:
    code: str
    label_en: str
    label_fa: str
    sensitivity: Sensitivity
    ack_hours: int | None
    act_hours: int | None
    close_hours: int | None
    clock: str  # "business" or "calendar"
    route: Role | None


@dataclass(frozen=True)
class Province:
    name_en: str
    name_fa: str
    capital_en: str
    capital_fa: str


@dataclass(frozen=True)
class Taxonomy:
    categories: dict[str, Category]
    topics: dict[str, str]
    statuses: tuple[str, ...]
    roles: dict[str, str]

    def category(self, code: str) -> Category:
        return self.categories[code]


@lru_cache
def load_taxonomy(path: Path = HERE / "taxonomy.yml") -> Taxonomy:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    categories = {
        code: Category(
            code=code,
            label_en=spec["label_en"],
            label_fa=spec["label_fa"],
            sensitivity=Sensitivity(spec["sensitivity"]),
            ack_hours=spec["ack"],
            act_hours=spec["act"],
            close_hours=spec["close"],
            clock=spec["clock"],
            route=Role(spec["route"]) if spec.get("route") else None,
        )
        for code, spec in raw["categories"].items()
    }
    return Taxonomy(
        categories=categories,
        topics=dict(raw["topics"]),
        statuses=tuple(raw["statuses"]),
        roles=dict(raw["roles"]),
    )


@lru_cache
def load_provinces(path: Path = HERE / "provinces.csv") -> dict[str, Province]:
    with path.open(encoding="utf-8") as handle:
        return {row["name_en"]: Province(**row) for row in csv.DictReader(handle)}
