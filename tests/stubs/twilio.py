"""A stub of Twilio's REST API (Messages.json); records every call."""

from __future__ import annotations

import itertools
import sys
from typing import Any

from tests.stubs.base import Reply, Stub, serve_forever


def make_stub() -> Stub:
    counter = itertools.count(1)

    def handler(method: str, path: str, params: dict[str, Any]) -> Reply:
        if method == "POST" and path.endswith("/Messages.json"):
            account = path.split("/")[3]
            sid = f"SM{next(counter):032d}"
            return 201, {
                "sid": sid,
                "account_sid": account,
                "to": params.get("To"),
                "from": params.get("From"),
                "body": params.get("Body"),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "uri": f"{path[:-5]}/{sid}.json",
            }
        return 404, {"code": 20404, "message": "not found", "status": 404}

    return Stub(handler)


def error(status: int, code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "status": status, "more_info": ""}


if __name__ == "__main__":
    serve_forever(make_stub(), int(sys.argv[1]))
