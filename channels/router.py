"""Webhooks: Telegram and Twilio. Verified first; nothing is stored for a bad request.

The routes are async because they read the body (JSON, Twilio's form); their database work
runs in the threadpool and is committed there, never on the event loop (on SQLite a
transaction holds the write lock, see channels.dbthread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from channels import outbox, service, signals, sms, worker
from feedback_api.crypto import constant_time_equals
from feedback_api.deps import SessionDep, SettingsDep

log = logging.getLogger(__name__)

router = APIRouter(tags=["channels"])

P = ParamSpec("P")
T = TypeVar("T")


async def _store(
    session: Session,
    func: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`func(session, ...)` and the commit (rollback on error), in the threadpool."""

    def work() -> T:
        try:
            result = func(session, *args, **kwargs)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return result

    return await run_in_threadpool(work)


@router.post("/webhooks/telegram")
async def telegram_webhook(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    secret = settings.telegram_webhook_secret
    if (
        secret is None
        or given is None
        or not constant_time_equals(given, secret.get_secret_value())
    ):
        log.warning("telegram webhook: bad or missing secret token")
        return JSONResponse({"detail": "forbidden"}, status_code=403)
    try:
        data = await request.json()
    except ValueError:
        return JSONResponse({"detail": "bad json"}, status_code=400)
    if not isinstance(data, dict) or "update_id" not in data:
        return JSONResponse({"detail": "not an update"}, status_code=400)
    parsed = await _store(session, service.receive_telegram, data)
    signals.wake("inbound")
    if parsed is not None and parsed.callback_query_id:
        worker.answer_callback_soon(parsed.callback_query_id)
    return JSONResponse({"ok": True})


async def _twilio_params(request: Request, path: str) -> dict[str, str] | None:
    form = await request.form()
    params = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    if not sms.signature_valid(path, params, request.headers.get("X-Twilio-Signature")):
        log.warning("twilio webhook %s: bad or missing signature", path)
        return None
    return params


@router.post("/webhooks/twilio/sms")
async def twilio_sms(request: Request, session: SessionDep) -> Response:
    params = await _twilio_params(request, "/webhooks/twilio/sms")
    if params is None:
        return JSONResponse({"detail": "forbidden"}, status_code=403)
    await _store(session, service.receive_sms, params)
    signals.wake("inbound")
    return Response(sms.EMPTY_TWIML, media_type="application/xml")


@router.post("/webhooks/twilio/status")
async def twilio_status(request: Request, session: SessionDep) -> Response:
    params = await _twilio_params(request, "/webhooks/twilio/status")
    if params is None:
        return JSONResponse({"detail": "forbidden"}, status_code=403)
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = params.get("MessageStatus") or params.get("SmsStatus")
    if sid and status:
        await _store(session, outbox.record_status, sid, status, params.get("ErrorCode"))
    return Response(status_code=204)
