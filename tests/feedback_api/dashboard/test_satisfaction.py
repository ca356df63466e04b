"""Satisfaction ratings by channel and category, and when a mean or share is shown."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import summary


def test_satisfaction(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session)
    rows = [r for r in ref.selected(seeded, data.window_from, data.window_to) if r["satisfaction"]]
    for dimension, table, lines in (
        ("channel", data.satisfaction_by_channel, data.satisfaction_channel),
        ("category", data.satisfaction_by_category, data.satisfaction_category),
    ):
        raw = Counter((row[dimension], str(row["satisfaction"])) for row in rows)
        ref.check_table(table, dict(raw))
        for line in lines:
            scores = [r["satisfaction"] for r in rows if line.code in ("ALL", r[dimension])]
            ref.check_cell(line.rated, len(scores))
            if len(scores) >= 5 and isinstance(line.rated, int):
                assert line.mean == round(sum(scores) / len(scores), 2)
                happy = sum(1 for s in scores if s >= 4)
                if happy >= 5 and len(scores) - happy >= 5:
                    assert line.satisfied_pct == round(100 * happy / len(scores), 1)
                else:
                    assert line.satisfied_pct is None
            else:
                assert line.mean is None
    assert data.headline.mean_satisfaction == data.satisfaction_channel[-1].mean
