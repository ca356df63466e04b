from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ConsentIn(BaseModel):
    callback: bool
    preferred_operator_gender: Literal["female", "any"] | None = None


class LanguageIn(BaseModel):
    language: Literal["fa", "prs"]


class ContactOut(BaseModel):
    pseudonym: str
    language: str | None
    callback_consent: bool


class Deleted(BaseModel):
    deleted: bool
