"""Which cases a figure counts: the role's scope, the date window and the filters, as SQL.

Who sees the dashboard (taxonomy.yml `roles`):

- accountability_staff ("reviews trends and exports; S2-S3 counts only") and
  cfm_manager: every case, with S2/S3 cases as national monthly counts only;
- psea_focal_point, protection_focal_point, data_protection_officer ("only
  their own"): the cases they may see (`access.visible_filter`), which are all
  S2/S3, so they get the national monthly section only;
- operator and admin: no dashboard (403).

The case's own sensitivity decides which side a case is on, so a case raised
to S3 by hand leaves the breakdowns. DUPLICATE cases (the same feedback twice)
are left out everywhere. Days are Tehran days (the business timezone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, true

from feedback_api.cases import access
from feedback_api.cases.models import Case
from feedback_api.dashboard import periods
from feedback_api.dashboard.schemas import CalendarKind, DashboardFilters
from feedback_api.errors import Forbidden
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role

FULL_ROLES = frozenset({Role.accountability_staff, Role.cfm_manager})
OWN_ROLES = frozenset(
    {Role.psea_focal_point, Role.protection_focal_point, Role.data_protection_officer}
)
DASHBOARD_ROLES = FULL_ROLES | OWN_ROLES
OPEN_SENSITIVITY = ("S0", "S1")
RESTRICTED_SENSITIVITY = ("S2", "S3")
DEFAULT_MONTHS = 12


# --- access -----------------------------------------------------------------------------------


def check_role(role: str) -> None:
    if Role(role) not in DASHBOARD_ROLES:
        raise Forbidden("the dashboard is for accountability staff", code="no_dashboard")


def role_scope(role: str) -> ColumnElement[bool]:
    check_role(role)
    if Role(role) in FULL_ROLES:
        return true()
    return access.visible_filter(role)


def scope_description(role: str) -> str:
    if Role(role) in FULL_ROLES:
        return "all cases; S2/S3 as national monthly counts"
    return "the S2/S3 cases this role handles, as national monthly counts"


# --- the window and the filters -----------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    first: dt.date
    last: dt.date

    def utc(self) -> tuple[dt.datetime, dt.datetime]:
        return periods.utc_bounds(self.first, self.last, get_settings().business_timezone)


def window_of(filters: DashboardFilters, now: dt.datetime) -> Window:
    today = periods.local_today(now, get_settings().business_timezone)
    last = filters.date_to or today
    first = filters.date_from or periods.months_back(last, DEFAULT_MONTHS - 1, filters.calendar)
    return Window(first, last)


def whole_months(window: Window, calendar: CalendarKind) -> Window:
    return Window(
        periods.month_bounds(window.first, calendar)[0],
        periods.month_bounds(window.last, calendar)[1],
    )


def _created_in(window: Window | None) -> list[ColumnElement[bool]]:
    if window is None:
        return []
    start, end = window.utc()
    return [Case.created_at >= start, Case.created_at < end]


def _attribute_filters(filters: DashboardFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for name in ("province", "channel", "language", "category"):
        value = getattr(filters, name)
        if value is not None:
            clauses.append(getattr(Case, name) == value)
    return clauses


def _counted(role: str) -> list[ColumnElement[bool]]:
    """The cases of this role's scope, DUPLICATE cases left out."""
    return [role_scope(role), Case.status != "DUPLICATE"]


def open_conditions(
    role: str, filters: DashboardFilters, window: Window | None
) -> list[ColumnElement[bool]]:
    """S0/S1 cases of this role's scope under the filters, created in the window (None: ever)."""
    return [
        *_counted(role),
        Case.sensitivity.in_(OPEN_SENSITIVITY),
        *_attribute_filters(filters),
        *_created_in(window),
    ]


def restricted_conditions(
    role: str, filters: DashboardFilters, window: Window
) -> list[ColumnElement[bool]]:
    """S2/S3 cases of this role's scope created in the window; only the category filter applies."""
    clauses = [*_counted(role), Case.sensitivity.in_(RESTRICTED_SENSITIVITY)]
    if filters.category is not None:
        clauses.append(Case.category == filters.category)
    return clauses + _created_in(window)
