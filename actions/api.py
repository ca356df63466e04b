"""A small client of the bot-facing API (`/api/v1/bot`, docs/architecture.md)."""

from __future__ import annotations

from typing import Any

import requests

from actions.settings import ActionSettings

_RETRYABLE = {401, 403, 408, 429}


class ApiUnavailable(Exception):
    """Connection error, timeout or 5xx: worth retrying later."""


class ApiError(Exception):
    """A 4xx answer: retrying the same request will not help."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"API answered {status}")
        self.status = status
        self.detail = detail

    @property
    def code(self) -> str | None:
        if isinstance(self.detail, dict):
            return self.detail.get("code")
        return None


class FeedbackApi:
    def __init__(self, settings: ActionSettings) -> None:
        self._base = settings.feedback_api_url.rstrip("/") + "/api/v1/bot"
        self._timeout = settings.api_timeout_seconds
        self._session = requests.Session()
        self._session.headers["Authorization"] = (
            f"Bearer {settings.service_token.get_secret_value()}"
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            answer = self._session.request(
                method, self._base + path, timeout=self._timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise ApiUnavailable(type(exc).__name__) from exc
        # 401/403 (a token being rotated), 408 and 429 heal by themselves or by
        # an operator's fix: retry them like an outage rather than give up.
        if answer.status_code >= 500 or answer.status_code in _RETRYABLE:
            raise ApiUnavailable(f"status {answer.status_code}")
        if answer.status_code >= 400:
            try:
                detail = answer.json().get("detail")
            except ValueError:
                detail = None
            raise ApiError(answer.status_code, detail)
        try:
            return answer.json()
        except ValueError:
            return None

    def create_case(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/cases", json=body)

    def case_status(self, reference: str, contact: str, language: str) -> dict[str, Any]:
        """The case's status, in words in `language`."""
        params = {"contact": contact, "language": language}
        return self._call("GET", f"/cases/{reference}", params=params)

    def open_cases(self, contact: str, language: str) -> dict[str, Any]:
        return self._call("GET", f"/contacts/{contact}/cases", params={"language": language})

    def set_consent(self, contact: str, callback: bool, gender: str | None) -> None:
        body: dict[str, Any] = {"callback": callback}
        if gender:
            body["preferred_operator_gender"] = gender
        self._call("PUT", f"/contacts/{contact}/consent", json=body)

    def set_language(self, contact: str, language: str) -> None:
        self._call("PUT", f"/contacts/{contact}/language", json={"language": language})

    def handoff(self, contact: str, reason: str, case_reference: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": reason}
        if case_reference:
            body["case_reference"] = case_reference
        return self._call("POST", f"/contacts/{contact}/handoff", json=body)

    def delete_contact(self, contact: str) -> dict[str, Any]:
        return self._call("DELETE", f"/contacts/{contact}")
