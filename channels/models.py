"""Tables of the channel gateway: inbound messages, the outbox, per-contact state.

Message texts are encrypted with DATA_KEY (EncryptedText); an address copied
onto an outbox row (so a reply still reaches a person whose vault entry was
erased meanwhile) is encrypted with VAULT_KEY and blanked once sent.
Rows outlive an erased contact with `contact_id` NULL and no text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.crypto import EncryptedText, VaultText
from feedback_api.db import Base, utcnow

# Inbound statuses: pending (waits for the assistant), done (answered or handled),
# operator (went to the human who has the conversation), ignored (opted out, system).
INBOUND_STATUSES = ("pending", "done", "operator", "ignored")
# Outbox statuses. "sending" is a short lease while a worker talks to the provider;
# "undeliverable": no way to reach the person (a phone contact without an SMS route or
# without consent), shown in the console instead of waiting for ever.
OUTBOX_STATUSES = ("queued", "sending", "sent", "delivered", "failed", "undeliverable")
UNSENT = ("queued", "sending")
KIND_PRIORITY = {"reply": 0, "operator": 0, "notice": 1, "bulk": 5}


class InboundMessage(Base):
    __tablename__ = "channel_inbound"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_channel_inbound_channel_external_id"),
        Index("ix_channel_inbound_contact_status", "contact_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The medium (telegram | sms) and the provider it came through (telegram, twilio,
    # android_sms; web for the simulator): replies go back through the same provider.
    channel: Mapped[str] = mapped_column(String(16))
    transport: Mapped[str] = mapped_column(String(16))
    # The provider's id of the delivery (Telegram update_id, Twilio MessageSid, the Android
    # gateway's event id): the deduplication key.
    external_id: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    # text, callback, command, edited, media, system
    kind: Mapped[str] = mapped_column(String(16), default="text")
    text: Mapped[str | None] = mapped_column(EncryptedText())
    payload: Mapped[str | None] = mapped_column(EncryptedText())
    media_type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    route: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The claim of the worker taking this message's turn and until when it holds it
    # (channels/leases.py): a crashed worker's claim runs out, and another takes over.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None]
    # Indexed: the messages a contact had handled in the last minute (its rate).
    processed_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class OutboxMessage(Base):
    __tablename__ = "channel_outbox"
    __table_args__ = (
        Index("ix_channel_outbox_due", "status", "priority", "next_attempt_at"),
        # The oldest unsent row of each contact: the head the sender takes (fair per contact).
        Index("ix_channel_outbox_unsent", "status", "contact_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    transport: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    # reply, operator, notice, bulk
    kind: Mapped[str] = mapped_column(String(16), default="reply")
    priority: Mapped[int] = mapped_column(default=0)
    sender: Mapped[str] = mapped_column(String(80), default="bot")
    template: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(EncryptedText())
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Copied from the vault when queued; blanked once the message has left.
    address: Mapped[str | None] = mapped_column(VaultText())
    # Sent even to an opted-out contact (the STOP confirmation only).
    force: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    error: Mapped[str | None] = mapped_column(String(200))
    segments: Mapped[int | None]
    in_reply_to: Mapped[int | None] = mapped_column(
        ForeignKey("channel_inbound.id", ondelete="SET NULL")
    )
    # The case the message is about (an outcome, a reference): a chat view masks it for a
    # user who may not see that case, and the case's S3 purge blanks it.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]


class ContactState(Base):
    """What the gateway remembers per contact between messages."""

    __tablename__ = "channel_contact_state"

    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    # The buttons of the last menu shown: [{"title", "payload"}]; "1" answers it.
    last_menu: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # The provider the person last wrote through: notices go back the same way.
    transport: Mapped[str | None] = mapped_column(String(16))
    pending_satisfaction_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL")
    )
    # Set when the "received, we will answer shortly" went out; cleared by an answer.
    acknowledged_wait_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CallbackPayload(Base):
    """Button payloads longer than Telegram's 64-byte callback_data, by short key."""

    __tablename__ = "channel_callback_payloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(24), unique=True)
    payload: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConversationErasure(Base):
    """A deleted person's conversation still to be erased from Rasa.

    Written when the person's data is deleted, often by an action in the middle of
    a Rasa turn; Rasa saves the conversation when the turn ends, so the gateway
    erases it only after that (and retries while Rasa is down).
    """

    __tablename__ = "channel_conversation_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Rasa's sender id: the deleted contact's pseudonym.
    sender: Mapped[str] = mapped_column(String(32), unique=True)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
