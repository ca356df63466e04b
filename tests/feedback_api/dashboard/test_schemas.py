"""The dashboard's filters, as the page's form and the JSON API send them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from feedback_api.dashboard.schemas import DashboardFilters

FIELDS = ("date_from", "date_to", "province", "channel", "language", "category")


def test_an_empty_form_field_means_all() -> None:
    filters = DashboardFilters(**dict.fromkeys(FIELDS, ""))
    assert all(getattr(filters, name) is None for name in FIELDS)
    assert not filters.breaks_down_geography_or_people


@pytest.mark.parametrize(
    "values",
    [
        {"province": "Atlantis"},
        {"channel": "fax"},
        {"date_from": "2025-02-01", "date_to": "2025-01-01"},
    ],
)
def test_bad_filters_are_refused(values: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        DashboardFilters(**values)
