"""The action server: rasa-sdk's app, answering only Rasa (the shared secret).

    PYTHONPATH=. ACTION_SERVER_TOKEN=... .venv-bot/bin/python -m actions.server

Rasa sends `Authorization: Bearer $ACTION_SERVER_TOKEN` with every call
(bot/endpoints.yml); any request without it gets 401, so a stranger who can
reach the port can neither run an action (file a case in someone's name) nor
list them. Listens on ACTION_SERVER_HOST (loopback unless a private network).
rasa-sdk imports every module of the package: importing this one starts nothing.
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.settings import ActionSettings, get_settings

logger = logging.getLogger(__name__)


def build_app(settings: ActionSettings) -> Sanic:
    token = settings.action_server_token.get_secret_value()
    if not token:
        raise SystemExit("ACTION_SERVER_TOKEN must be set: the action server answers Rasa only")
    expected = f"Bearer {token}".encode()
    # No CORS: only Rasa calls this server, never a browser.
    app = create_app("actions", cors_origins="")

    async def require_token(request: Request) -> HTTPResponse | None:
        given = request.headers.get("authorization", "").encode()
        if hmac.compare_digest(given, expected):
            return None
        return response.json({"error": "unauthorized"}, status=401)

    app.register_middleware(require_token, "request")
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.server")
    parser.add_argument("--host", help="default ACTION_SERVER_HOST (127.0.0.1)")
    parser.add_argument("--port", type=int, help="default ACTION_SERVER_PORT (5055)")
    args = parser.parse_args(argv)
    settings = get_settings()
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    app = build_app(settings)
    host = args.host or settings.action_server_host
    port = args.port or settings.action_server_port
    logger.info("action server on http://%s:%s (calls need the shared secret)", host, port)
    app.run(host, port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
