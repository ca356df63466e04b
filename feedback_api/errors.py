"""Business errors carry their HTTP status; request validation stays 422 (FastAPI's own)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    """The body of every business error (validation errors keep FastAPI's own shape)."""

    detail: ErrorDetail


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the business errors a router may answer."""
    return {status: {"model": ErrorOut} for status in statuses}


class BusinessError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(BusinessError):
    status_code = 404
    code = "not_found"


class Conflict(BusinessError):
    """An illegal state change or a clash with existing data."""

    status_code = 409
    code = "conflict"


class Unprocessable(BusinessError):
    status_code = 422
    code = "unprocessable"


class Forbidden(BusinessError):
    status_code = 403
    code = "forbidden"


class Unauthorized(BusinessError):
    status_code = 401
    code = "unauthorized"


class TooManyRequests(BusinessError):
    """Throttled: try again after `retry_after` seconds."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


async def business_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BusinessError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(
        {"detail": {"code": exc.code, "message": exc.message}},
        status_code=exc.status_code,
        headers=headers,
    )


async def data_error_handler(_request: Request, _exc: Exception) -> JSONResponse:
    """The database refused a value (a NUL character, a number out of range): bad input."""
    return JSONResponse(
        {"detail": {"code": "invalid_value", "message": "a value in the request is not valid"}},
        status_code=422,
    )
