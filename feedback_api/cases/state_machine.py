"""The case workflow (taxonomy.yml `statuses`, docs/domain.md §1.6.4) as an explicit graph."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "NEW"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    IN_PROGRESS = "IN_PROGRESS"
    REFERRED_INTERNAL = "REFERRED_INTERNAL"
    REFERRED_EXTERNAL = "REFERRED_EXTERNAL"
    RESPONDED = "RESPONDED"
    CLOSED_LOOP = "CLOSED_LOOP"
    CLOSED_REFERRED = "CLOSED_REFERRED"
    CLOSED_NO_CONTACT = "CLOSED_NO_CONTACT"
    WITHDRAWN = "WITHDRAWN"
    DUPLICATE = "DUPLICATE"


S = Status
CLOSED = frozenset(
    {S.CLOSED_LOOP, S.CLOSED_REFERRED, S.CLOSED_NO_CONTACT, S.WITHDRAWN, S.DUPLICATE}
)
FIRST_ACTION = frozenset({S.IN_PROGRESS, S.REFERRED_INTERNAL, S.REFERRED_EXTERNAL, S.RESPONDED})
_SIDE = frozenset({S.WITHDRAWN, S.DUPLICATE})

STANDARD: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.REFERRED_INTERNAL} | _SIDE),
    S.ACKNOWLEDGED: frozenset(
        {S.IN_PROGRESS, S.REFERRED_INTERNAL, S.REFERRED_EXTERNAL, S.RESPONDED, S.CLOSED_NO_CONTACT}
        | _SIDE
    ),
    S.IN_PROGRESS: frozenset(
        {S.REFERRED_INTERNAL, S.REFERRED_EXTERNAL, S.RESPONDED, S.CLOSED_NO_CONTACT} | _SIDE
    ),
    S.REFERRED_INTERNAL: frozenset(
        {S.IN_PROGRESS, S.RESPONDED, S.CLOSED_REFERRED, S.CLOSED_NO_CONTACT, S.WITHDRAWN}
    ),
    S.REFERRED_EXTERNAL: frozenset(
        {S.RESPONDED, S.CLOSED_REFERRED, S.CLOSED_NO_CONTACT, S.WITHDRAWN}
    ),
    # A person who is not satisfied with the answer reopens the work.
    S.RESPONDED: frozenset({S.CLOSED_LOOP, S.IN_PROGRESS, S.CLOSED_NO_CONTACT}),
    **{status: frozenset() for status in CLOSED},
}

# S3 cases are intake and referral only: the focal point refers, nobody investigates here.
# A case raised to S3 after work began (it revealed abuse) joins the referral track
# from wherever it is, rather than being stuck with no legal move.
HIGHLY_RESTRICTED: dict[Status, frozenset[Status]] = {
    **{status: frozenset({S.REFERRED_INTERNAL}) for status in Status if status not in CLOSED},
    S.NEW: frozenset({S.REFERRED_INTERNAL, S.DUPLICATE}),
    S.REFERRED_INTERNAL: frozenset({S.CLOSED_REFERRED}),
    **{status: frozenset() for status in CLOSED},
}


def allowed_moves(current: str, sensitivity: str) -> frozenset[Status]:
    graph = HIGHLY_RESTRICTED if sensitivity == "S3" else STANDARD
    return graph[Status(current)]


def can_move(current: str, target: str, sensitivity: str) -> bool:
    return target in Status.__members__ and Status(target) in allowed_moves(current, sensitivity)
