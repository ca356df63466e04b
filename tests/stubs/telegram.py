"""A stub of Telegram's Bot API: `/bot<token>/<method>`; records every call."""

from __future__ import annotations

import itertools
import sys
import time
from typing import Any

from tests.stubs.base import Reply, Stub, serve_forever

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "IOM", "username": "iom_test_bot"}


def make_stub() -> Stub:
    counter = itertools.count(1)

    def handler(method: str, path: str, params: dict[str, Any]) -> Reply:
        api_method = path.rsplit("/", 1)[-1]
        if api_method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if api_method == "sendMessage":
            chat_id = int(params.get("chat_id", 0))
            return 200, {
                "ok": True,
                "result": {
                    "message_id": next(counter),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": BOT_USER,
                    "text": params.get("text", ""),
                },
            }
        if api_method == "getUpdates":
            return 200, {"ok": True, "result": []}
        if api_method in ("answerCallbackQuery", "setWebhook", "deleteWebhook"):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method"}

    return Stub(handler)


if __name__ == "__main__":
    serve_forever(make_stub(), int(sys.argv[1]))
