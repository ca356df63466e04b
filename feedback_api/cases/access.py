"""Who may see a case's content: sensitivity and role, exactly as taxonomy.yml says.

| role                     | S0 | S1 | S2        | S3                    |
| operator                 | x  | x  |           |                       |
| accountability_staff     | x  | x  |           |                       |
| cfm_manager              | x  | x  | x         |                       |
| psea_focal_point         |    |    |           | SEA, CSG (route psea) |
| protection_focal_point   |    |    |           | SAF (route protection)|
| data_protection_officer  |    |    | DPB       |                       |
| admin                    |    |    |           |                       |

An S3 case whose category has no S3 route (raised by hand) goes to both
S3 focal points, so it is never orphaned.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false

from feedback_api.cases.models import Case
from feedback_api.taxonomy import Role, load_taxonomy

S3_ROLES = (Role.psea_focal_point, Role.protection_focal_point)


def _routed(role: Role) -> set[str]:
    return {c.code for c in load_taxonomy().categories.values() if c.route == role}


def _unrouted_s3() -> set[str]:
    return {c.code for c in load_taxonomy().categories.values() if c.route not in S3_ROLES}


def can_see(role: str, sensitivity: str, category: str) -> bool:
    match Role(role):
        case Role.operator | Role.accountability_staff:
            return sensitivity in ("S0", "S1")
        case Role.cfm_manager:
            return sensitivity in ("S0", "S1", "S2")
        case Role.psea_focal_point | Role.protection_focal_point as focal:
            return sensitivity == "S3" and (
                category in _routed(focal) or category in _unrouted_s3()
            )
        case Role.data_protection_officer:
            return sensitivity == "S2" and category in _routed(Role.data_protection_officer)
        case Role.admin:
            return False


def visible_filter(role: str) -> ColumnElement[bool]:
    """The same rule as `can_see`, as SQL, for lists and counts."""
    match Role(role):
        case Role.operator | Role.accountability_staff:
            return Case.sensitivity.in_(("S0", "S1"))
        case Role.cfm_manager:
            return Case.sensitivity.in_(("S0", "S1", "S2"))
        case Role.psea_focal_point | Role.protection_focal_point as focal:
            return and_(
                Case.sensitivity == "S3",
                Case.category.in_(_routed(focal) | _unrouted_s3()),
            )
        case Role.data_protection_officer:
            return and_(
                Case.sensitivity == "S2",
                Case.category.in_(_routed(Role.data_protection_officer)),
            )
        case Role.admin:
            return false()


def is_restricted(sensitivity: str) -> bool:
    """S2 and S3: every read or change is audited."""
    return sensitivity in ("S2", "S3")
