"""Filters and the aggregate figures of the dashboard (the JSON API returns `Summary`).

A count is an integer, "<5" (fewer than five cases, withheld) or "x" (withheld
so that a small count cannot be recomputed from the totals). Percentages,
means and percentiles are null when the count they rest on is withheld.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator, model_validator

from feedback_api.cases.schemas import CategoryCode, Channel, ProvinceName
from feedback_api.languages import ConsoleLanguage, Language, default_language
from persian_text import languages

Count = int | str
CHANNELS: tuple[str, ...] = ("telegram", "sms", "phone", "web")


def people_languages() -> tuple[str, ...]:
    """The languages of the rows and the filter: those people write in."""
    return languages.registry().codes("people")


class Period(StrEnum):
    week = "week"
    month = "month"


class CalendarKind(StrEnum):
    jalali = "jalali"
    gregorian = "gregorian"


class DashboardFilters(BaseModel):
    date_from: dt.date | None = Field(
        None, description="first day (Tehran time); default: 12 months ago"
    )
    date_to: dt.date | None = Field(None, description="last day, inclusive; default: today")
    province: ProvinceName | None = Field(None, description="canonical English province name")
    channel: Channel | None = None
    language: Language | None = None
    category: CategoryCode | None = Field(None, description="taxonomy category code")
    period: Period = Field(Period.month, description="buckets of the time series")
    calendar: CalendarKind = Field(CalendarKind.jalali, description="month buckets and date labels")
    lang: ConsoleLanguage = Field(
        default_factory=default_language, description="language of the labels"
    )

    @field_validator(
        "date_from", "date_to", "province", "channel", "language", "category", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """The page's form sends an empty field for "all"."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _order(self) -> DashboardFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self

    @property
    def breaks_down_geography_or_people(self) -> bool:
        """Filters that would cut sensitive (S2/S3) counts below national level."""
        return any(v is not None for v in (self.province, self.channel, self.language))


class Table(BaseModel):
    """A suppressed cross-table with its margins (totals computed from all the data)."""

    name: str
    rows: list[str] = Field(description="row keys (codes)")
    row_labels: list[str]
    columns: list[str] = Field(description="column keys (codes or period keys)")
    column_labels: list[str]
    cells: list[list[Count]]
    row_totals: list[Count] | None = None
    column_totals: list[Count] | None = None
    total: Count | None = None


class ShareRow(BaseModel):
    code: str
    label: str
    count: Count
    pct: float | None


class Stage(BaseModel):
    target_hours: int | None = Field(description="taxonomy target (business or calendar hours)")
    decided: Count | None = Field(
        description="cases whose target was met or missed; null when the stage has no target"
    )
    on_time_pct: float | None = Field(description="met / decided; null when decided is withheld")
    median_hours: float | None = Field(description="elapsed (calendar) hours, cases done")
    p90_hours: float | None


class ResponseRow(BaseModel):
    code: str = Field(description="category code, or ALL")
    label: str
    clock: str | None
    cases: Count
    ack: Stage
    act: Stage
    close: Stage


class SatisfactionRow(BaseModel):
    code: str
    label: str
    rated: Count
    mean: float | None
    satisfied_pct: float | None = Field(description="share of ratings of 4 or 5")


class Sensitive(BaseModel):
    window_from: dt.date
    window_to: dt.date
    counts: Table = Field(description="S2/S3 cases per category and month, national")
    response: list[ResponseRow]


class Headline(BaseModel):
    total_cases: Count
    open_cases: Count
    overdue_cases: Count
    mean_satisfaction: float | None


class Summary(BaseModel):
    generated_at: dt.datetime
    k: int = Field(description="minimum published count")
    role_scope: str = Field(description="which cases this user's figures cover")
    window_from: dt.date
    window_to: dt.date
    filters: DashboardFilters
    headline: Headline
    volumes: dict[str, Table] = Field(
        description="S0/S1 cases per period by category, topic, province, language, channel"
    )
    category_share: list[ShareRow]
    province_topics: Table
    top_topics: dict[str, list[str]] = Field(description="province: its top 3 published topics")
    response: list[ResponseRow]
    backlog: Table = Field(description="open S0/S1 cases now, by category and age")
    overdue: Table = Field(description="open S0/S1 cases past a target now, by stage")
    satisfaction_by_channel: Table
    satisfaction_by_category: Table
    satisfaction_channel: list[SatisfactionRow]
    satisfaction_category: list[SatisfactionRow]
    sensitive: Sensitive | None = Field(
        description="null when a province, channel or language filter is set"
    )
