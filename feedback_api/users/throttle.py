"""Login throttling, decided before argon2 runs: per source address, and per process.

No account is ever locked. Failures count against the address they come from (and that
address with that username), so a stranger guessing a colleague's password slows the
stranger down and never the colleague logging in from elsewhere. The answer is the same
for a username that exists and one that does not. A per-process rate on password checks
keeps a flood from many addresses from spending the machine on argon2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import threading
import time

from sqlalchemy import delete
from sqlalchemy.orm import Session

from feedback_api.errors import TooManyRequests
from feedback_api.settings import get_settings
from feedback_api.users.models import LoginThrottle


class _Rate:
    """A token bucket shared by the request threads of this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: float | None = None
        self.stamp = time.monotonic()

    def take(self, rate: float) -> bool:
        burst = max(rate * 2, 1.0)
        with self.lock:
            now = time.monotonic()
            tokens = burst if self.tokens is None else self.tokens
            tokens = min(burst, tokens + (now - self.stamp) * rate)
            self.stamp = now
            if tokens < 1:
                self.tokens = tokens
                return False
            self.tokens = tokens - 1
            return True


password_checks = _Rate()


def _keys(address: str, username: str) -> list[tuple[str, int]]:
    settings = get_settings()
    secret = settings.secret("secret_key").encode()
    who = hmac.new(secret, username.casefold().encode(), hashlib.sha256).hexdigest()[:24]
    return [
        (f"a:{address}", settings.login_failures_per_address),
        (f"u:{address}:{who}", settings.login_failures_per_address_and_user),
    ]


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=get_settings().login_window_minutes)


def check(session: Session, address: str, username: str, now: dt.datetime) -> None:
    """Raise TooManyRequests when this attempt may not reach the password check."""
    for key, limit in _keys(address, username):
        row = session.get(LoginThrottle, key)
        if row is None or row.failures < limit:
            continue
        ends = row.window_started_at + _window()
        if ends > now:
            raise TooManyRequests(
                "too many failed logins from this address: try again later",
                retry_after=math.ceil((ends - now).total_seconds()),
                code="throttled",
            )
    if not password_checks.take(get_settings().login_attempts_per_second):
        raise TooManyRequests("too many logins at once: try again shortly", retry_after=1)


def record_failure(session: Session, address: str, username: str, now: dt.datetime) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.window_started_at < now - _window()))
    for key, _limit in _keys(address, username):
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            session.add(LoginThrottle(key=key, window_started_at=now, failures=1))
        else:
            row.failures += 1
    session.flush()


def record_success(session: Session, address: str, username: str) -> None:
    """A right password clears that address and username (not the address as a whole)."""
    key, _limit = _keys(address, username)[1]
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
