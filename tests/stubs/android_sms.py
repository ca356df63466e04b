"""A stub of the SMS Gateway for Android's API (the device in local mode, or its
server): sending messages and registering webhooks; records every call.

`python -m tests.stubs.android_sms PORT` serves it for the end-to-end tests.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

from tests.stubs.base import Reply, Stub, serve_forever


def make_stub() -> Stub:
    counter = itertools.count(1)
    webhooks: dict[str, dict[str, Any]] = {}

    def handler(method: str, path: str, params: dict[str, Any]) -> Reply:
        if method == "POST" and path.endswith("/messages"):
            numbers = params.get("phoneNumbers") or []
            if not numbers or not (params.get("textMessage") or {}).get("text"):
                return 400, {"message": "phoneNumbers and textMessage.text are required"}
            return 202, {
                "id": params.get("id") or f"msg{next(counter):08d}",
                "state": "Pending",
                "recipients": [{"phoneNumber": n, "state": "Pending"} for n in numbers],
                "isHashed": False,
                "isEncrypted": False,
            }
        if path.endswith("/webhooks"):
            if method == "GET":
                return 200, list(webhooks.values())
            if method == "POST":
                hook = {"id": f"wh{next(counter)}", "url": params["url"], "event": params["event"]}
                webhooks[hook["id"]] = hook
                return 201, hook
        if method == "DELETE" and "/webhooks/" in path:
            webhooks.pop(path.rsplit("/", 1)[1], None)
            return 204, {}
        return 404, {"message": "not found"}

    return Stub(handler)


if __name__ == "__main__":
    serve_forever(make_stub(), int(sys.argv[1]))
