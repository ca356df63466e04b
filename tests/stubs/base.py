"""A small threaded HTTP stub that records requests and can be told to fail.

Used in-process by tests/channels and as a subprocess by tests/e2e
(`python -m tests.stubs.telegram PORT`). Control over HTTP:
`GET /__control/requests`, `POST /__control/fail` with
`{"path_contains": "...", "responses": [[status, body], ...]}`, `POST /__control/reset`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

Reply = tuple[int, Any]  # status, JSON body (none with 204)


class Stub:
    def __init__(self, handler: Callable[[str, str, dict[str, Any]], Reply]) -> None:
        self.handler = handler
        self.requests: list[dict[str, Any]] = []
        # path fragment -> canned responses used (and consumed) before the handler
        self.failures: list[tuple[str, int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def fail(self, path_contains: str, status: int, body: dict[str, Any], times: int = 1) -> None:
        with self.lock:
            self.failures.extend([(path_contains, status, body)] * times)

    def calls(self, path_contains: str = "") -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if path_contains in r["path"]]

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.failures.clear()

    def _answer(
        self, method: str, path: str, params: dict[str, Any], auth: str | None = None
    ) -> Reply:
        if path.startswith("/__control/"):
            return self._control(path, params)
        with self.lock:
            self.requests.append({"method": method, "path": path, "params": params, "auth": auth})
            for i, (fragment, status, body) in enumerate(self.failures):
                if fragment in path:
                    del self.failures[i]
                    return status, body
        return self.handler(method, path, params)

    def _control(self, path: str, params: dict[str, Any]) -> Reply:
        if path == "/__control/requests":
            with self.lock:
                return 200, {"requests": list(self.requests)}
        if path == "/__control/reset":
            self.reset()
            return 200, {"ok": True}
        if path == "/__control/fail":
            for status, body in params.get("responses", []):
                self.fail(params.get("path_contains", ""), int(status), body)
            return 200, {"ok": True}
        return 404, {"error": "unknown control"}

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _params(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                kind = self.headers.get("Content-Type", "")
                if "json" in kind and raw:
                    data = json.loads(raw)
                    return data if isinstance(data, dict) else {"_": data}
                if raw:
                    return dict(parse_qsl(raw.decode(), keep_blank_values=True))
                return {}

            def _do(self, method: str) -> None:
                path, _, query = self.path.partition("?")
                params = dict(parse_qsl(query))
                params.update(self._params())
                status, body = stub._answer(method, path, params, self.headers.get("Authorization"))
                data = b"" if status == 204 else json.dumps(body).encode()
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._do("GET")

            def do_POST(self) -> None:
                self._do("POST")

            def do_DELETE(self) -> None:
                self._do("DELETE")

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://{host}:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def serve_forever(stub: Stub, port: int) -> None:
    url = stub.start(port)
    print(f"stub listening on {url}", flush=True)
    assert stub.thread is not None
    stub.thread.join()
