from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class HandoffRequest(BaseModel):
    reason: str | None = Field(None, max_length=64)
    case_reference: str | None = Field(None, max_length=16)


class HandoffQueued(BaseModel):
    status: str
    open_now: bool
    position: int
    expected_wait_minutes: int
    next_opening: dt.datetime
