"""Console form bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


class SendForm(BaseModel):
    """A chat reply, a note, a referral or a closing-the-loop message."""

    text: MessageText
    close: bool = False


class PhoneForm(BaseModel):
    """A hotline call, logged by the operator who took it (validated in service.log_phone_call)."""

    type: Short = "complaint"
    category: Short = ""
    topic: Short = "GEN"
    language: Short = "fa"
    province: Short = ""
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
    number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    consent: bool = False
    preferred_operator_gender: Short = ""
