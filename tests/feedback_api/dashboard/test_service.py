"""The whole summary, on a seeded year of cases: the seed itself, and the category shares."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import N, summary
from tests.feedback_api.dashboard.factories import ANCHOR


def test_the_seed_has_the_known_distribution(seeded: list[dict[str, Any]]) -> None:
    assert len(seeded) == N
    categories = Counter(row["category"] for row in seeded)
    assert categories.most_common(1)[0][0] == "INF"
    assert {"SEA", "FRD", "SAF"} <= set(categories)
    assert min(row["created_at"] for row in seeded) > ANCHOR - dt.timedelta(days=366)
    assert (
        sum(
            1
            for row in seeded
            if row["sensitivity"] == "S3" and row["category"] not in ("SEA", "CSG", "SAF")
        )
        > 0
    )


def test_category_shares(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session)
    rows = ref.selected(seeded, data.window_from, data.window_to)
    counts = Counter(row["category"] for row in rows)
    for item in data.category_share:
        ref.check_cell(item.count, counts[item.code])
        if isinstance(item.count, int):
            assert item.pct == round(100 * counts[item.code] / len(rows), 1)
        else:
            assert item.pct is None
