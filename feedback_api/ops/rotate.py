"""Key rotation: re-encrypt every encrypted column under the first of its keys.

DATA_KEY and VAULT_KEY take several comma-separated Fernet keys, newest first: the
first encrypts, all decrypt (feedback_api.crypto). To rotate, put a new key in front,
restart every service process, run this command, then drop the old key. Values are
read and written as stored bytes, a page at a time, each page committed.
"""

from __future__ import annotations

from collections.abc import Iterator

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Column, LargeBinary, Table, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from feedback_api import models
from feedback_api.crypto import EncryptedText, VaultText
from feedback_api.settings import get_settings

PAGE = 500


def _keys(setting: str) -> MultiFernet:
    return MultiFernet(
        [Fernet(key.strip().encode()) for key in get_settings().secret(setting).split(",")]
    )


def encrypted_columns() -> Iterator[tuple[Table, Column[object], str]]:
    """Every encrypted column of every table, with the setting that holds its keys."""
    for table in models.Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText | VaultText):
                yield table, column, column.type.setting


def _rotate_column(
    session: Session, table: Table, column: Column[object], keys: MultiFernet
) -> int:
    (key,) = table.primary_key.columns
    raw = type_coerce(column, LargeBinary)
    done, last = 0, None
    while True:
        query = select(key, raw).where(column.is_not(None)).order_by(key).limit(PAGE)
        if last is not None:
            query = query.where(key > last)
        rows = session.execute(query).all()
        for row_key, token in rows:
            session.execute(
                update(table)
                .where(key == row_key)
                .values({column.name: literal(keys.rotate(bytes(token)), LargeBinary)})
            )
        session.commit()
        if len(rows) < PAGE:
            return done + len(rows)
        done, last = done + len(rows), rows[-1][0]


def reencrypt(session: Session) -> dict[str, int]:
    """Re-encrypt every value under the current first key; counts by table.column."""
    keys = {setting: _keys(setting) for setting in ("data_key", "vault_key")}
    return {
        f"{table.name}.{column.name}": _rotate_column(session, table, column, keys[setting])
        for table, column, setting in encrypted_columns()
    }
