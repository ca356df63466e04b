"""Builders of provider payloads for the channel tests."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from twilio.request_validator import RequestValidator

from channels.providers.android_sms import signature

_ids = itertools.count(1000)


def update_id() -> int:
    return next(_ids)


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "fa"}


def tg_text(chat_id: int, text: str, uid: int | None = None, **extra: Any) -> dict[str, Any]:
    message = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
        "from": _user(chat_id),
        "text": text,
    }
    message.update(extra)
    return {"update_id": uid or update_id(), "message": message}


def tg_media(chat_id: int, kind: str, uid: int | None = None) -> dict[str, Any]:
    bodies: dict[str, Any] = {
        "voice": {"file_id": "v1", "file_unique_id": "u1", "duration": 3},
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "u2",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        },
        "location": {"latitude": 35.7, "longitude": 51.4},
        "contact": {"phone_number": "+989121111111", "first_name": "X", "user_id": chat_id},
        "photo": [{"file_id": "p1", "file_unique_id": "u3", "width": 90, "height": 90}],
    }
    update = tg_text(chat_id, "", uid)
    del update["message"]["text"]
    update["message"][kind] = bodies[kind]
    return update


def tg_edited(chat_id: int, text: str) -> dict[str, Any]:
    update = tg_text(chat_id, text)
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = int(time.time())
    return update


def tg_callback(chat_id: int, data: str) -> dict[str, Any]:
    return {
        "update_id": update_id(),
        "callback_query": {
            "id": str(next(_ids)),
            "from": _user(chat_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": next(_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "menu",
            },
        },
    }


def tg_member(chat_id: int, status: str) -> dict[str, Any]:
    now = int(time.time())
    return {
        "update_id": update_id(),
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private"},
            "from": _user(chat_id),
            "date": now,
            "old_chat_member": {"user": _user(4242), "status": "member"},
            "new_chat_member": {"user": _user(4242), "status": status}
            | ({"until_date": 0} if status == "kicked" else {}),
        },
    }


def sms_form(number: str, body: str, sid: str | None = None, media: int = 0) -> dict[str, str]:
    return {
        "MessageSid": sid or f"SM{next(_ids):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": str(media),
    }


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def android_event(event: str, payload: dict[str, Any], event_id: str | None = None) -> bytes:
    """A webhook body of the SMS Gateway for Android (envelope and payload)."""
    envelope = {
        "deviceId": "device-1",
        "event": event,
        "id": event_id or f"ev{next(_ids)}",
        "webhookId": "wh-1",
        "payload": payload,
    }
    return json.dumps(envelope, ensure_ascii=False).encode()


def android_sms(number: str, text: str, event_id: str | None = None) -> bytes:
    # messageId is derived from the content: two people sending the same text share it.
    payload = {
        "messageId": f"m{sum(text.encode())}",
        "message": text,
        "phoneNumber": number,
        "simNumber": 1,
        "receivedAt": "2026-12-01T10:00:00.000+03:30",
    }
    return android_event("sms:received", payload, event_id)


def android_headers(key: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        "X-Timestamp": stamp,
        "X-Signature": signature(key, body, stamp),
    }
