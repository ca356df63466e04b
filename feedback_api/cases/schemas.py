from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from feedback_api.cases.state_machine import Status
from feedback_api.languages import Language
from feedback_api.taxonomy import Sensitivity, load_provinces, load_taxonomy

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Channel = Literal["telegram", "sms", "phone", "web"]


def _known_category(value: str) -> str:
    if value not in load_taxonomy().categories:
        raise ValueError(f"unknown category {value!r}")
    return value


def _known_topic(value: str) -> str:
    if value not in load_taxonomy().topics:
        raise ValueError(f"unknown topic {value!r}")
    return value


def _known_province(value: str) -> str:
    if value not in load_provinces():
        raise ValueError(f"unknown province {value!r}")
    return value


# Codes and names of the contract files, checked when a request is read.
CategoryCode = Annotated[str, AfterValidator(_known_category)]
TopicCode = Annotated[str, AfterValidator(_known_topic)]
ProvinceName = Annotated[str, AfterValidator(_known_province)]


class CaseType(StrEnum):
    complaint = "complaint"
    feedback = "feedback"
    question = "question"
    request = "request"
    report = "report"


class _Classified(BaseModel):
    category: CategoryCode = Field(description="taxonomy category code, e.g. CMN")
    topic: TopicCode = Field("GEN", description="taxonomy topic code, e.g. HLT")
    province: ProvinceName | None = Field(None, description="canonical English province name")


class CaseCreate(_Classified):
    type: CaseType
    channel: Channel
    language: Language | None = None
    description: Text | None = None
    sensitivity: Sensitivity | None = Field(
        None, description="raise above the category's level; never below it"
    )
    preferred_operator_gender: Literal["female", "any"] | None = None


class BotCaseCreate(CaseCreate):
    client_key: Annotated[str, StringConstraints(min_length=8, max_length=128)] = Field(
        description="idempotency key: the same key again returns the same case"
    )
    contact: str = Field(
        min_length=8, max_length=32, pattern=r"^[a-z2-7]+$", description="contact pseudonym"
    )
    callback_consent: bool | None = None
    notify_contact: bool = Field(False, description="send the reference to the person when created")


class CaseCreated(BaseModel):
    reference: str
    reference_display: str
    status: Status
    category: str
    topic: str
    sensitivity: Sensitivity
    created: bool


class ContactCaseStatus(BaseModel):
    reference: str
    reference_display: str
    status: Status
    status_label: str = Field(description="the status in words, in `language`")
    language: Language = Field(description="the language of the label")
    category: str
    updated_at: dt.datetime
    closed: bool


class ContactCase(BaseModel):
    """One of a person's open cases, in words they can read (no content)."""

    reference: str
    reference_display: str
    status: Status
    status_label: str
    category_label: str = Field(description="what kind of case; sensitive ones read alike")
    updated_at: dt.datetime


class ContactCases(BaseModel):
    language: Language = Field(description="the language of the labels")
    cases: list[ContactCase] = Field(description="open cases, the most recently changed first")


class MessageIn(BaseModel):
    contact: str = Field(min_length=8, max_length=32)
    direction: Literal["in", "out"]
    text: Text


class StatusChange(BaseModel):
    status: Status
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class Assignment(BaseModel):
    username: str | None = Field(None, description="assignee; null to unassign")


class NoteIn(BaseModel):
    text: Text


class SensitivityChange(BaseModel):
    sensitivity: Sensitivity
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class SensitivityChanged(BaseModel):
    reference: str
    sensitivity: Sensitivity
    still_visible: bool


class TimelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    body: str | None
    data: dict[str, object]


class CaseSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reference: str
    reference_display: str
    type: str
    category: str
    topic: str
    sensitivity: Sensitivity
    channel: str
    language: str | None
    province: str | None
    status: Status
    assignee: str | None
    created_at: dt.datetime
    ack_due_at: dt.datetime | None
    act_due_at: dt.datetime | None
    close_due_at: dt.datetime | None
    next_due_at: dt.datetime | None
    overdue: bool


class CaseDetail(CaseSummary):
    description: str | None
    preferred_operator_gender: str | None
    acknowledged_at: dt.datetime | None
    first_action_at: dt.datetime | None
    closed_at: dt.datetime | None
    satisfaction: int | None
    allowed_moves: list[Status]
    timeline: list[TimelineOut]


class CaseFilters(BaseModel):
    status: Status | None = None
    category: str | None = None
    topic: str | None = None
    channel: Channel | None = None
    language: Language | None = None
    province: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class CasePage(BaseModel):
    total: int
    items: list[CaseSummary]
