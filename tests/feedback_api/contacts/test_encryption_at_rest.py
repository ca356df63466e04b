"""A copy of the database reveals no address and no free text."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, text
from sqlalchemy.orm import Session

from feedback_api.contacts import service as contacts
from feedback_api.db import make_engine
from tests.conftest import BACKEND
from tests.feedback_api.helpers import app_on

PHONE = "+989127654321"
DESCRIPTION = "مامور توزیع از خواهرم درخواست نامناسب کرد"
NOTE = "Caller asked for a female operator, lives near the mosque"


def test_no_plaintext_address_or_description_in_the_database(
    fresh_database: str, service_headers: dict[str, str]
) -> None:
    engine = make_engine(fresh_database)
    with Session(engine) as session:
        contact = contacts.ensure_contact(session, "sms", PHONE)
        key = contact.pseudonym
        session.commit()
    client = TestClient(app_on(engine))
    reference = client.post(
        "/api/v1/bot/cases",
        json={
            "client_key": secrets.token_hex(8),
            "contact": key,
            "type": "report",
            "category": "CMJ",
            "channel": "sms",
            "province": "Kerman",
            "description": DESCRIPTION,
            "callback_consent": True,
        },
        headers=service_headers,
    ).json()["reference"]
    client.post(
        f"/api/v1/bot/cases/{reference}/messages",
        json={"contact": key, "direction": "in", "text": NOTE},
        headers=service_headers,
    )
    secrets_ = [PHONE, PHONE.lstrip("+"), PHONE[3:], DESCRIPTION, NOTE, "female operator"]

    if BACKEND == "sqlite":
        engine.dispose()  # the last connection closing checkpoints the WAL; read both anyway
        path = Path(fresh_database.split("///", 1)[1])
        raw = b"".join(
            Path(f"{path}{suffix}").read_bytes()
            for suffix in ("", "-wal")
            if Path(f"{path}{suffix}").exists()
        )
        assert reference.encode() in raw and b"Kerman" in raw  # we read the right file
        for secret in secrets_:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert secret.encode(encoding) not in raw, (secret, encoding)
        return

    # PostgreSQL: every column of every table, as the server stores it, cast to text.
    with engine.connect() as conn:
        metadata = MetaData()
        metadata.reflect(bind=conn)
        dump = "\n".join(
            str(row[0])
            for table in metadata.sorted_tables
            for row in conn.execute(text(f'SELECT t::text FROM "{table.name}" t'))  # noqa: S608
        )
        description_column = conn.execute(
            text("SELECT description FROM cases WHERE reference = :r"), {"r": reference}
        ).scalar_one()
    engine.dispose()
    assert reference in dump and "Kerman" in dump
    assert isinstance(description_column, bytes) and description_column.startswith(b"gAAAA")
    for secret in secrets_:
        assert secret not in dump, secret
        assert secret.encode().hex() not in dump, secret  # not even as bytea hex
