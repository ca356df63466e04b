"""A stub of the Rasa server the gateway talks to: the REST channel and the tracker.

Each turn answers `re: <message>` (and, for a message in `delays`, only after that many
seconds, as a slow turn). A turn is in the tracker once it is over, even when the caller
went away meanwhile, as in Rasa: a retried turn finds it there by its message id.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from tests.stubs.base import Reply, Stub, serve_forever


class RasaStub(Stub):
    def __init__(self, delays: Mapping[str, float] | None = None) -> None:
        super().__init__(self._handle)
        self.delays = dict(delays or {})
        # sender -> [(message id, replies)], in the order the turns ended
        self.tracker: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
        self.turn_lock = threading.Lock()

    def turns(self) -> list[dict[str, Any]]:
        """The turns the gateway sent, in the order they came."""
        return [r["params"] for r in self.calls("/webhooks/rest/webhook")]

    def _handle(self, method: str, path: str, params: dict[str, Any]) -> Reply:
        if path == "/webhooks/rest/webhook" and method == "POST":
            message = str(params.get("message", ""))
            time.sleep(self.delays.get(message, 0.0))
            replies = [{"recipient_id": params.get("sender"), "text": f"re: {message}"}]
            with self.turn_lock:
                self.tracker.setdefault(str(params.get("sender")), []).append(
                    (str(params.get("message_id")), replies)
                )
            return 200, replies
        if path.startswith("/conversations/") and path.endswith("/tracker") and method == "GET":
            sender = path.split("/")[2]
            events: list[dict[str, Any]] = []
            with self.turn_lock:
                for message_id, replies in self.tracker.get(sender, []):
                    events.append({"event": "user", "message_id": message_id})
                    events += [{"event": "bot", "text": r["text"]} for r in replies]
            return 200, {"sender_id": sender, "events": events}
        if path == "/status":
            return 200, {"model_file": "stub.tar.gz"}
        return 404, {"error": "not found"}


if __name__ == "__main__":
    serve_forever(RasaStub(), int(sys.argv[1]))
