"""What the dashboard page shows: the template context (charts, filter options, labels).

The figures come from `service.build_summary` as they are; this module only
draws them (`charts`) and names them for the template, in Persian or English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from feedback_api.console import templating
from feedback_api.dashboard import charts, labels, periods
from feedback_api.dashboard.response import STAGES
from feedback_api.dashboard.schemas import (
    CHANNELS,
    CalendarKind,
    Period,
    Summary,
    people_languages,
)
from feedback_api.taxonomy import load_provinces, load_taxonomy
from persian_text import languages

HERE = Path(__file__).resolve().parent


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(
        directory=[HERE / "templates", templating.HERE / "templates"],
        context_processors=[templating.console_context],
    )
    templates.env.filters.update(templating.templates.env.filters)
    templates.env.globals.update(templating.templates.env.globals)
    return templates


_TEMPLATES: list[Jinja2Templates] = []


def templates() -> Jinja2Templates:
    if not _TEMPLATES:
        _TEMPLATES.append(_templates())
    return _TEMPLATES[0]


def _options(lang: str) -> dict[str, list[tuple[str, str]]]:
    taxonomy = load_taxonomy()
    return {
        "province": [(p, labels.label("province", p, lang)) for p in load_provinces()],
        "channel": [(c, labels.label("channel", c, lang)) for c in CHANNELS],
        "language": [(c, labels.label("language", c, lang)) for c in people_languages()],
        "category": [
            (c, f"{c} · {labels.label('category', c, lang)}") for c in taxonomy.categories
        ],
    }


def page_context(data: Summary, lang: str, query: str) -> dict[str, Any]:
    rtl = languages.registry().get(lang).direction == "rtl"
    percent = "٪" if rtl else "%"
    comma = "، " if rtl else ", "

    def tx(key: str) -> str:
        return labels.text(key, lang)

    volume_charts = {
        dimension: charts.stacked_columns(table, tx(f"by_{dimension}"), lang, rtl)
        for dimension, table in data.volumes.items()
    }
    share_chart = charts.hbars(
        [
            charts.Bar(r.label, r.pct, percent)
            if r.pct is not None
            else charts.Bar(r.label, r.count)
            for r in data.category_share
        ],
        tx("category_share"),
        lang,
        rtl,
        scale_max=None,
    )
    sla_charts = {
        stage: charts.hbars(
            [
                charts.Bar(row.label, getattr(row, stage).on_time_pct, percent)
                for row in data.response
                if getattr(row, stage).decided is not None
            ],
            f"{tx(stage)} {tx('on_time')}",
            lang,
            rtl,
            scale_max=100.0,
            colour=charts.color(i),
            width=400,
            label_w=130,
        )
        for i, stage in enumerate(STAGES)
    }
    backlog_chart = charts.hbars(
        [
            charts.Bar(label, value)
            for label, value in zip(
                data.backlog.column_labels, data.backlog.column_totals or [], strict=True
            )
        ],
        tx("backlog"),
        lang,
        rtl,
        colour="#e07a1f",
    )
    satisfaction_chart = charts.hbars(
        [charts.Bar(r.label, r.mean) for r in data.satisfaction_channel],
        tx("satisfaction"),
        lang,
        rtl,
        scale_max=5.0,
        colour="#3a9d5d",
    )
    sensitive_chart = None
    if data.sensitive is not None:
        sensitive_chart = charts.stacked_columns(data.sensitive.counts, tx("sensitive"), lang, rtl)
    return {
        "data": data,
        "tx": tx,
        "num": lambda value: charts._num(value, lang),
        "date_label": lambda day: periods.date_label(day, data.filters.calendar, lang),
        "options": _options(lang),
        "volume_charts": volume_charts,
        "legends": {d: charts.legend(t) for d, t in data.volumes.items()},
        "share_chart": share_chart,
        "sla_charts": sla_charts,
        "backlog_chart": backlog_chart,
        "satisfaction_chart": satisfaction_chart,
        "sensitive_chart": sensitive_chart,
        "sensitive_legend": charts.legend(data.sensitive.counts) if data.sensitive else [],
        "query": query,
        "periods": [p.value for p in Period],
        "calendars": [c.value for c in CalendarKind],
        "province_codes": labels.province_codes(),
        "province_topic_peak": max(
            (v for row in data.province_topics.cells for v in row if isinstance(v, int)), default=0
        ),
        "top_topics": {
            province: comma.join(labels.label("topic", t, lang) for t in topics)
            for province, topics in data.top_topics.items()
        },
        "active": "dashboard",
    }
