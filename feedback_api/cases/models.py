from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_api.crypto import EncryptedText
from feedback_api.db import Base, utcnow


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_close_due", "status", "close_due_at"),
        Index("ix_cases_created_category", "created_at", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    # Random per record, for exports: never the contact pseudonym.
    record_uuid: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    client_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(8), index=True)
    topic: Mapped[str] = mapped_column(String(8))
    sensitivity: Mapped[str] = mapped_column(String(2), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    province: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(24), default="NEW", index=True)
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    preferred_operator_gender: Mapped[str | None] = mapped_column(String(16))
    referral: Mapped[str | None] = mapped_column(EncryptedText())

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None]
    first_action_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    loop_closed_at: Mapped[dt.datetime | None]
    loop_closed_channel: Mapped[str | None] = mapped_column(String(16))
    close_reason: Mapped[str | None] = mapped_column(String(64))
    ack_due_at: Mapped[dt.datetime | None]
    act_due_at: Mapped[dt.datetime | None]
    close_due_at: Mapped[dt.datetime | None]
    satisfaction: Mapped[int | None]
    content_purged_at: Mapped[dt.datetime | None]

    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="case", order_by="TimelineEntry.id", cascade="all, delete-orphan"
    )


class TimelineEntry(Base):
    """Append-only history of a case. Only a redaction (erasure, S3 purge) may blank a body."""

    __tablename__ = "case_timeline"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    body: Mapped[str | None] = mapped_column(EncryptedText())
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    redacted_at: Mapped[dt.datetime | None]

    case: Mapped[Case] = relationship(back_populates="timeline")
