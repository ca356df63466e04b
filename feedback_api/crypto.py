"""Encryption at rest and pseudonyms.

Free text (descriptions, notes, message texts) is encrypted with DATA_KEY and
addresses (phone numbers, Telegram ids) with VAULT_KEY, both Fernet (AES and
HMAC) so a stolen database file reveals neither. Several comma-separated keys
allow rotation: the first encrypts, all decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import LargeBinary, TypeDecorator

from feedback_api.settings import get_settings


@lru_cache
def _cipher(setting: str) -> MultiFernet:
    keys = get_settings().secret(setting).split(",")
    return MultiFernet([Fernet(key.strip().encode()) for key in keys])


def encrypt(text: str, setting: str = "data_key") -> bytes:
    return _cipher(setting).encrypt(text.encode())


def decrypt(token: bytes, setting: str = "data_key") -> str:
    return _cipher(setting).decrypt(token).decode()


class _Encrypted(TypeDecorator[str]):
    impl = LargeBinary
    cache_ok = True
    setting = "data_key"

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else encrypt(value, self.setting)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(bytes(value), self.setting)


class EncryptedText(_Encrypted):
    """Free text, encrypted with DATA_KEY."""

    cache_ok = True


class VaultText(_Encrypted):
    """Contact addresses, encrypted with VAULT_KEY."""

    setting = "vault_key"
    cache_ok = True


def pseudonym(channel_scheme: str, address: str) -> str:
    """Keyed hash of an address: stable per key, not reversible without it.

    128 bits in lowercase base32 (26 characters): the Rasa sender id and the
    contact key everywhere outside the vault.
    """
    key = get_settings().secret("pseudonym_key").encode()
    digest = hmac.new(key, f"{channel_scheme}:{address}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:16]).decode().rstrip("=").lower()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
