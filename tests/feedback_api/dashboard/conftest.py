"""Fixtures of the dashboard tests: seeded years of cases, the summary, the API at ANCHOR."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.dashboard import service
from feedback_api.dashboard.router import dashboard_now
from feedback_api.dashboard.schemas import DashboardFilters, Summary
from tests.factories import make_case
from tests.feedback_api.dashboard.factories import ANCHOR, seed

N = 3000
SECRET = "my neighbour Zarghamnia took the money, call 09121234567"


@pytest.fixture
def seeded(session: Session) -> list[dict[str, Any]]:
    """A year of cases for the figures of each section."""
    return seed(session, N)


@pytest.fixture
def seeded_with_secret(session: Session) -> list[dict[str, Any]]:
    """A smaller year of cases for the HTTP tests, and one case that must never show."""
    rows = seed(session, 1500, seed=11)
    # One case with free text and a contact: none of it may reach the dashboard.
    make_case(session, category="CMN", description=SECRET, province="Qom")
    return rows


@pytest.fixture
def api(client: TestClient) -> Iterator[TestClient]:
    client.app.dependency_overrides[dashboard_now] = lambda: ANCHOR  # type: ignore[attr-defined]
    yield client


def summary(session: Session, **filters: Any) -> Summary:
    """The summary that accountability staff see at ANCHOR."""
    return service.build_summary(
        session, "accountability_staff", DashboardFilters(**filters), ANCHOR
    )
