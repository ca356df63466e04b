"""Response times per category and for all, against a naive re-computation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import summary
from tests.feedback_api.dashboard.factories import ANCHOR


def test_response_times(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session)
    rows = ref.selected(seeded, data.window_from, data.window_to)
    expected = ref.response(rows, ANCHOR)
    assert [r.code for r in data.response][-1] == "ALL"
    for item in data.response:
        for stage in ref.STAGES:
            shown = getattr(item, stage)
            figures = expected[item.code][stage]
            decided = figures["on"] + figures["late"]
            if item.code != "ALL" and ref.target(item.code, stage) is None:
                assert shown.decided is None and shown.target_hours is None
                continue
            if item.code != "ALL":
                assert shown.target_hours == ref.target(item.code, stage)
            ref.check_cell(shown.decided, decided)
            if isinstance(shown.decided, int):
                assert shown.on_time_pct == round(100 * figures["on"] / decided, 1)
            else:
                assert shown.on_time_pct is None
            durations = figures["d"]
            if len(durations) >= 5:
                assert shown.median_hours == pytest.approx(
                    ref.percentile(durations, 0.5), abs=0.051
                )
                assert shown.p90_hours == pytest.approx(ref.percentile(durations, 0.9), abs=0.051)
            else:
                assert shown.median_hours is None and shown.p90_hours is None
    all_row = data.response[-1]
    assert all_row.cases == len(rows)
