from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from feedback_api.languages import Language


class ConsentIn(BaseModel):
    callback: bool
    preferred_operator_gender: Literal["female", "any"] | None = None


class LanguageIn(BaseModel):
    language: Language


class ContactOut(BaseModel):
    pseudonym: str
    language: str | None
    callback_consent: bool


class Deleted(BaseModel):
    deleted: bool
    # Open S3 reports kept, anonymous, for their focal point.
    kept_reports: int = 0
