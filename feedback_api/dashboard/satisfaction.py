"""Satisfaction: the 1-5 ratings of closed-loop cases, by channel or category.

A mean is published only when the count of ratings it rests on is published
(at least k); the satisfied share (ratings of 4 or 5) only when both the
satisfied and the others number at least k.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.dashboard import periods
from feedback_api.dashboard.labels import label, text
from feedback_api.dashboard.schemas import SatisfactionRow, Table
from feedback_api.dashboard.suppression import K
from feedback_api.dashboard.tables import cross_counts, make_table, rows_for


def satisfaction(
    session: Session, conditions: list[ColumnElement[bool]], dimension: str, lang: str
) -> tuple[Table, list[SatisfactionRow]]:
    with_rating = [*conditions, Case.satisfaction.between(1, 5)]
    counts = cross_counts(session, with_rating, getattr(Case, dimension), Case.satisfaction)
    rows = rows_for(dimension, (v for v, _ in counts))
    scores = ["1", "2", "3", "4", "5"]
    table = make_table(
        f"satisfaction_by_{dimension}",
        dimension,
        rows,
        scores,
        [periods.digits(s, lang) for s in scores],
        counts,
        lang,
    )
    summary: list[SatisfactionRow] = []
    for code, published in zip(
        [*rows, "ALL"], [*(table.row_totals or []), table.total], strict=True
    ):
        lines = rows if code == "ALL" else [code]
        per_score = {s: sum(counts.get((line, s), 0) for line in lines) for s in scores}
        rated = sum(per_score.values())
        weighted = sum(n * int(s) for s, n in per_score.items())
        satisfied = per_score["4"] + per_score["5"]
        mean = round(weighted / rated, 2) if isinstance(published, int) and rated >= K else None
        # The satisfied share would reveal how many were (not) satisfied: both must be >= k.
        pct = (
            round(100.0 * satisfied / rated, 1)
            if mean is not None and satisfied >= K and rated - satisfied >= K
            else None
        )
        summary.append(
            SatisfactionRow(
                code=code,
                label=text("all", lang) if code == "ALL" else label(dimension, code, lang),
                rated=published if published is not None else 0,
                mean=mean,
                satisfied_pct=pct,
            )
        )
    return table, summary
