from __future__ import annotations

from sqlalchemy.orm import Session

from feedback_api.audit.models import AuditEntry
from feedback_api.users.models import User


def record(
    session: Session,
    *,
    user: User | None,
    action: str,
    case_id: int | None = None,
    actor: str | None = None,
    **detail: object,
) -> None:
    session.add(
        AuditEntry(
            user_id=user.id if user else None,
            actor=actor or (f"user:{user.username}" if user else "system"),
            action=action,
            case_id=case_id,
            detail=detail,
        )
    )
