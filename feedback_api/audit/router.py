from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from feedback_api.audit.models import AuditEntry
from feedback_api.deps import CurrentUserDep, SessionDep
from feedback_api.errors import NotFound, documented
from feedback_api.taxonomy import Role

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=documented(401, 404))


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    actor: str
    action: str
    case_id: int | None
    detail: dict[str, object]


@router.get("", response_model=list[AuditOut])
def audit_log(
    user: CurrentUserDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditOut]:
    """The audit log, newest first: for the data protection officer only."""
    if user.role != Role.data_protection_officer:
        raise NotFound("not found")
    entries = session.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return [AuditOut.model_validate(entry) for entry in entries]
