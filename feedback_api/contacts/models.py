from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_api.crypto import VaultText
from feedback_api.db import Base, utcnow


class Contact(Base):
    """A person known only by a keyed hash of channel and address."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    callback_consent: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[dt.datetime | None]
    preferred_operator_gender: Mapped[str | None] = mapped_column(String(16))
    opted_out: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[dt.datetime | None]
    # When the retention purge last removed the conversation (it starts again if they write).
    transcript_purged_at: Mapped[dt.datetime | None]

    vault: Mapped[VaultEntry | None] = relationship(
        back_populates="contact", cascade="all, delete-orphan", uselist=False
    )


class VaultEntry(Base):
    """The address of a contact, encrypted, kept only as long as it is needed.

    Without callback consent the address lives for the conversation window
    (replies need it); with consent, until the person's cases are closed plus
    the follow-up retention.
    """

    __tablename__ = "contact_vault"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    address: Mapped[str] = mapped_column(VaultText())
    retain_until: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="vault")
