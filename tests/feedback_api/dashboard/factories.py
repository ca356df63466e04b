"""Deterministic bulk seeding of cases for the dashboard tests and the benchmark.

`generate_cases` builds plain dicts (a year of cases with a known, seeded
distribution); `insert_cases` writes them with bulk INSERTs. Due times are the
taxonomy targets in calendar hours from creation (the dashboard only reads
the stored due columns, so the business clock does not matter here).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.taxonomy import load_provinces, load_taxonomy

# Fixed "now" of the seeded world: a Tuesday, 10:00 in Tehran.
ANCHOR = dt.datetime(2025, 3, 11, 6, 30, tzinfo=dt.UTC)

CATEGORY_WEIGHTS = {
    "INF": 30, "AST": 18, "CMN": 14, "CMJ": 6, "APP": 6, "SUG": 4, "RUM": 4, "CFM": 3,
    "OOS": 3, "OTH": 2, "FRD": 2, "MIS": 1, "DPB": 1, "SEA": 1, "CSG": 0.5, "SAF": 1,
}  # fmt: skip
PROVINCE_WEIGHTS = {
    "Tehran": 30, "Razavi Khorasan": 15, "Isfahan": 12, "Kerman": 8, "Fars": 7, "Yazd": 5,
    "Qom": 5, "Alborz": 5, "Semnan": 1, "Ilam": 0.3,
}  # fmt: skip
CHANNEL_WEIGHTS = {"telegram": 50, "sms": 30, "phone": 15, "web": 5}
TOPIC_WEIGHTS = {
    "DOC": 25, "HLT": 15, "CSH": 15, "SHL": 10, "LIV": 10, "LAB": 5, "PRT": 5, "MHP": 3,
    "WSH": 2, "CFX": 4, "GEN": 6,
}  # fmt: skip


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate_cases(
    n: int, *, seed: int = 6, now: dt.datetime = ANCHOR, days: int = 365, start_id: int = 1
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    taxonomy = load_taxonomy()
    provinces = list(load_provinces())
    rows: list[dict[str, Any]] = []
    for index in range(start_id, start_id + n):
        category_code = _pick(rng, CATEGORY_WEIGHTS)
        category = taxonomy.categories[category_code]
        # Whole minutes, never on a day boundary of Tehran time.
        created = now - dt.timedelta(minutes=rng.randrange(60, days * 24 * 60))
        sensitivity = category.sensitivity.value
        if sensitivity == "S1" and rng.random() < 0.01:
            sensitivity = "S3"  # raised by hand
        province: str | None = _pick(rng, PROVINCE_WEIGHTS)
        if rng.random() < 0.05:
            province = None
        elif rng.random() < 0.03:
            province = rng.choice(provinces)
        language = "prs" if rng.random() < 0.6 else "fa"
        if rng.random() < 0.02:
            language = None  # type: ignore[assignment]

        def due(hours: int | None, start: dt.datetime = created) -> dt.datetime | None:
            return start + dt.timedelta(hours=hours) if hours is not None else None

        ack_due, act_due, close_due = (
            due(category.ack_hours), due(category.act_hours), due(category.close_hours)
        )  # fmt: skip
        acknowledged = first_action = closed = loop_closed = None
        status = "NEW"
        satisfaction = None
        progress = rng.random()
        if progress > 0.08:
            ack_limit = max(30, int((category.ack_hours or 24) * 60 * 1.4))
            acknowledged = created + dt.timedelta(minutes=rng.randrange(0, ack_limit))
            status = "ACKNOWLEDGED"
        if progress > 0.2 and acknowledged is not None:
            act_limit = max(60, int((category.act_hours or 120) * 60 * 1.3))
            first_action = acknowledged + dt.timedelta(minutes=rng.randrange(0, act_limit))
            status = "IN_PROGRESS"
        if progress > 0.35 and first_action is not None:
            close_limit = max(120, int((category.close_hours or 720) * 60 * 1.2))
            closed = first_action + dt.timedelta(minutes=rng.randrange(0, close_limit))
            if closed >= now:
                closed = None
            else:
                status = rng.choices(
                    ["CLOSED_LOOP", "CLOSED_NO_CONTACT", "WITHDRAWN", "DUPLICATE"],
                    weights=[85, 8, 4, 3],
                )[0]
                if status == "CLOSED_LOOP":
                    loop_closed = closed
                    if rng.random() < 0.6:
                        satisfaction = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 4])[0]
        for name, moment in (("ack", acknowledged), ("act", first_action)):
            if moment is not None and moment >= now:
                # Nothing happens after "now": the case is simply not there yet.
                if name == "ack":
                    acknowledged = first_action = closed = loop_closed = None
                    status, satisfaction = "NEW", None
                else:
                    first_action = closed = loop_closed = None
                    status, satisfaction = "ACKNOWLEDGED", None
        if sensitivity == "S3":
            status = {"NEW": "NEW", "CLOSED_LOOP": "CLOSED_REFERRED"}.get(
                status, "REFERRED_INTERNAL"
            )
            if status == "CLOSED_REFERRED":
                satisfaction = None
        rows.append(
            {
                "reference": f"T{index:07d}",
                "record_uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "type": "complaint",
                "category": category_code,
                "topic": _pick(rng, TOPIC_WEIGHTS),
                "sensitivity": sensitivity,
                "channel": _pick(rng, CHANNEL_WEIGHTS),
                "language": language,
                "province": province,
                "description": None,
                "status": status,
                "created_by": "seed",
                "created_at": created,
                "updated_at": created,
                "status_changed_at": created,
                "acknowledged_at": acknowledged,
                "first_action_at": first_action,
                "closed_at": closed,
                "loop_closed_at": loop_closed,
                "ack_due_at": ack_due,
                "act_due_at": act_due,
                "close_due_at": close_due,
                "satisfaction": satisfaction,
            }
        )
    return rows


def insert_cases(session: Session, rows: Iterable[dict[str, Any]], batch: int = 5000) -> None:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            session.execute(insert(Case), chunk)
            chunk = []
    if chunk:
        session.execute(insert(Case), chunk)
    session.flush()


def seed(session: Session, n: int = 3000, **kwargs: Any) -> list[dict[str, Any]]:
    rows = generate_cases(n, **kwargs)
    insert_cases(session, rows)
    session.commit()
    return rows


def case_row(
    index: int,
    *,
    created: dt.datetime,
    category: str = "INF",
    topic: str = "DOC",
    province: str | None = "Tehran",
    channel: str = "telegram",
    language: str | None = "prs",
    sensitivity: str | None = None,
    status: str = "NEW",
    **extra: Any,
) -> dict[str, Any]:
    """One hand-made case row for small, exact tests."""
    spec = load_taxonomy().categories[category]
    row: dict[str, Any] = {
        "reference": f"H{index:07d}",
        "record_uuid": str(uuid.UUID(int=index)),
        "type": "complaint",
        "category": category,
        "topic": topic,
        "sensitivity": sensitivity or spec.sensitivity.value,
        "channel": channel,
        "language": language,
        "province": province,
        "description": None,
        "status": status,
        "created_by": "seed",
        "created_at": created,
        "updated_at": created,
        "status_changed_at": created,
        "acknowledged_at": None,
        "first_action_at": None,
        "closed_at": None,
        "loop_closed_at": None,
        "ack_due_at": None,
        "act_due_at": None,
        "close_due_at": None,
        "satisfaction": None,
    }
    row.update(extra)
    return row
