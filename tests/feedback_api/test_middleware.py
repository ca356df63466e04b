"""Request bodies are bounded before parsing: 64 KB for webhooks, 1 MB elsewhere (413);
every response carries the security headers."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels.models import InboundMessage
from feedback_api.cases.models import Case
from feedback_api.settings import get_settings
from tests.factories import login_as, make_case, make_handoff, make_user

KB = 1024
MB = 1024 * KB


def _chunks(total: int, size: int, pulled: list[int]) -> Iterator[bytes]:
    """`total` bytes of a JSON string in `size` chunks (no Content-Length: chunked)."""
    yield b'{"description": "'
    sent = 0
    while sent < total:
        pulled.append(size)
        sent += size
        yield b"x" * size
    yield b'"}'


def _post_chunked(client: TestClient, path: str, chunks: Iterator[bytes]) -> int:
    """POST a chunked body to the ASGI app, chunk by chunk (TestClient reads a body whole)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"transfer-encoding", b"chunked"),
            (b"authorization", b"Bearer wrong"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
    return statuses[0]


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_large_json_body_is_refused_before_the_token_or_the_json(
    client: TestClient, session: Session
) -> None:
    body = json.dumps({"description": "x" * (2 * MB)})
    response = client.post(
        "/api/v1/bot/cases",
        content=body,
        headers={"Content-Type": "application/json", "Authorization": "Bearer wrong"},
    )
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "too_large"
    assert _count(session, Case) == 0


def test_a_chunked_body_is_cut_off_at_the_limit(client: TestClient) -> None:
    pulled: list[int] = []
    status = _post_chunked(client, "/api/v1/bot/cases", _chunks(50 * MB, 64 * KB, pulled))
    assert status == 413
    # Read up to the first chunk past 1 MB, not the 50 MB offered.
    assert sum(pulled) <= MB + 64 * KB


def test_a_chunked_body_under_the_limit_reaches_the_application(client: TestClient) -> None:
    status = _post_chunked(client, "/api/v1/bot/cases", _chunks(512 * KB, 64 * KB, []))
    assert status == 401  # the token is checked: the body got through


def test_webhooks_take_64_kb(client: TestClient, session: Session) -> None:
    form = {"MessageSid": "SM" + "1" * 32, "From": "+989121111111", "Body": "x" * (65 * KB)}
    assert client.post("/webhooks/twilio/sms", data=form).status_code == 413
    update = {"update_id": 1, "pad": "x" * (60 * KB)}
    # Under the limit: the webhook itself answers (no secret: 403).
    assert client.post("/webhooks/telegram", json=update).status_code == 403
    assert client.post("/webhooks/telegram", json={**update, "pad": "x" * 65 * KB}).status_code == (
        413
    )
    assert _count(session, InboundMessage) == 0


def test_console_forms_take_1_mb(client: TestClient) -> None:
    data = {"username": "someone", "password": "x" * (2 * MB)}
    assert client.post("/console/login", data=data).status_code == 413
    small = client.post("/console/login", data={"username": "a", "password": "b"})
    assert small.status_code == 403  # no login CSRF cookie: the form was read


# --- security headers ---------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response: Response) -> dict[str, str]:
    directives = response.headers["content-security-policy"].split(";")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (x.strip() for x in directives) if d}


def test_every_console_page_carries_the_headers_and_no_inline_script(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, "cfm_manager")
    admin = make_user(session, "admin")
    case = make_case(session)
    handoff = make_handoff(session)
    login_as(client, user)
    pages = [
        "/console/",
        "/console/cases",
        f"/console/cases/{case.reference}",
        f"/console/chat/{handoff.id}",
        "/console/phone",
        "/console/dashboard",
        "/simulator",
    ]
    responses = [client.get(path) for path in pages]
    login_as(client, admin)
    responses.append(client.get("/console/admin/users"))
    client.cookies.clear()
    responses.append(client.get("/console/login"))
    for response in responses:
        assert response.headers["content-type"].startswith("text/html"), response.url
        policy = _policy(response)
        assert policy["script-src"] == "'self'", response.url
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers  # http PUBLIC_BASE_URL
        assert not INLINE_SCRIPT.search(response.text), response.url
        assert not EVENT_HANDLER.search(response.text), response.url


def test_hsts_when_the_public_address_is_https(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedback_api.main import build_app

    monkeypatch.setattr(get_settings(), "public_base_url", "https://feedback.example.org")
    response = TestClient(build_app()).get("/console/login")
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_refusals_carry_the_headers_too(client: TestClient) -> None:
    response = client.post("/console/login", data={"password": "x" * (2 * MB)})
    assert response.status_code == 413 and response.headers["x-content-type-options"] == "nosniff"


def test_api_docs_are_for_logged_in_staff(client: TestClient, session: Session) -> None:
    assert client.get("/docs", follow_redirects=False).status_code == 303
    assert client.get("/openapi.json", headers={"Accept": "application/json"}).status_code == 401
    login_as(client, make_user(session, "operator"))
    page = client.get("/docs")
    assert page.status_code == 200
    assert "'unsafe-inline'" not in _policy(page)["script-src"]
    assert not INLINE_SCRIPT.search(page.text)
    assert "/api/v1/bot/cases" in client.get("/openapi.json").json()["paths"]


def test_api_docs_are_off_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedback_api.main import build_app

    monkeypatch.setattr(get_settings(), "app_env", "production")
    client = TestClient(build_app())
    assert client.get("/docs", follow_redirects=False).status_code == 404
    assert client.get("/openapi.json", follow_redirects=False).status_code == 404
