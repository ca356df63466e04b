"""`python -m feedback_api.ops reencrypt`: after a new key went first in DATA_KEY / VAULT_KEY."""

from __future__ import annotations

import argparse

from feedback_api import migrate
from feedback_api.db import get_sessionmaker
from feedback_api.ops.rotate import reencrypt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m feedback_api.ops")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "reencrypt", help="re-encrypt stored text and addresses under the first key of each"
    )
    parser.parse_args(argv)
    migrate.upgrade()
    with get_sessionmaker()() as session:
        counts = reencrypt(session)
    print("re-encrypted: " + ", ".join(f"{name} {n}" for name, n in counts.items()))


if __name__ == "__main__":
    main()
