"""Key rotation: a new key first, the old one still reads, re-encrypt, drop the old one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from sqlalchemy import LargeBinary, select, type_coerce
from sqlalchemy.orm import Session

from feedback_api import crypto
from feedback_api.cases.models import Case
from feedback_api.contacts.models import VaultEntry
from feedback_api.ops.rotate import encrypted_columns, reencrypt
from feedback_api.settings import get_settings
from tests.factories import make_case, make_contact


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings whose keys the test changes; the ciphers are built again from them."""
    yield monkeypatch
    monkeypatch.undo()
    crypto._cipher.cache_clear()


def set_key(keys: pytest.MonkeyPatch, setting: str, value: str) -> None:
    keys.setattr(get_settings(), setting, SecretStr(value))
    crypto._cipher.cache_clear()


def test_every_encrypted_column_is_found() -> None:
    found = {
        f"{table.name}.{column.name}": setting for table, column, setting in encrypted_columns()
    }
    assert found["cases.description"] == "data_key"
    assert found["channel_inbound.text"] == "data_key"
    assert found["channel_outbox.address"] == "vault_key"


def test_after_reencrypting_the_old_key_can_go(session: Session, keys: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    old_data, old_vault = settings.secret("data_key"), settings.secret("vault_key")
    case = make_case(session, description="the words of the person")
    contact = make_contact(session, "sms", address="+989120000001")
    new_data, new_vault = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    set_key(keys, "data_key", f"{new_data},{old_data}")
    set_key(keys, "vault_key", f"{new_vault},{old_vault}")

    counts = reencrypt(session)

    assert counts["cases.description"] >= 1
    raw = session.scalar(
        select(type_coerce(Case.description, LargeBinary)).where(Case.id == case.id)
    )
    assert Fernet(new_data.encode()).decrypt(bytes(raw)) == b"the words of the person"
    set_key(keys, "data_key", new_data)
    set_key(keys, "vault_key", new_vault)
    session.expire_all()
    assert session.get(Case, case.id).description == "the words of the person"  # type: ignore[union-attr]
    entry = session.scalar(select(VaultEntry).where(VaultEntry.contact_id == contact.id))
    assert entry is not None and entry.address == "+989120000001"


def test_without_reencrypting_the_old_key_is_still_needed(
    session: Session, keys: pytest.MonkeyPatch
) -> None:
    case = make_case(session, description="kept under the old key")
    set_key(keys, "data_key", Fernet.generate_key().decode())
    session.expire_all()
    with pytest.raises(InvalidToken):
        _ = session.get(Case, case.id).description  # type: ignore[union-attr]
