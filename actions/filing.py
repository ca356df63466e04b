"""Create a case through the API, or spool it so it is never lost."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions.api import ApiError, ApiUnavailable
from actions.conversation import channel_of, language_of
from actions.runtime import services
from actions.triage import Classification

logger = logging.getLogger(__name__)

# The API's limit on free text.
_DESCRIPTION_MAX = 4000


@dataclass(frozen=True)
class Filed:
    """The API's answer, or spooled=True when the reference will follow later."""

    reference: str | None = None
    display: str | None = None
    spooled: bool = False
    # As filed: the service may have moved it to the category the description discloses.
    category: str | None = None


def case_body(
    tracker: Tracker,
    key: str,
    codes: Classification,
    description: str,
    **optional: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_key": key,
        "contact": tracker.sender_id,
        "type": codes.type,
        "category": codes.category,
        "topic": codes.topic,
        "channel": channel_of(tracker),
        "language": language_of(tracker),
    }
    # A button payload ("/report_misconduct") says nothing about what happened.
    description = description.strip()
    if description and not description.startswith("/"):
        body["description"] = description[:_DESCRIPTION_MAX]
    body.update({name: value for name, value in optional.items() if value is not None})
    return body


async def file_case(body: dict[str, Any]) -> Filed:
    svc = services()
    try:
        answer = await asyncio.to_thread(svc.api.create_case, body)
    except (ApiUnavailable, ApiError) as exc:
        # Down, slow or refusing: keep the case. A 4xx stays in the spool as
        # 'rejected' for a person to look at instead of being dropped.
        logger.warning("case creation failed (%s): spooled", exc)
        await asyncio.to_thread(svc.spool.put, body)
        svc.deliverer.wake()
        return Filed(spooled=True)
    logger.info("case %s created (%s)", answer["reference_display"], answer["category"])
    return Filed(answer["reference"], answer["reference_display"], category=answer["category"])
