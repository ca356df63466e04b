"""Command line: `python -m feedback_api {serve,run,migrate,users create|set-password,purge}`."""

from __future__ import annotations

import argparse
import getpass
import sys

from feedback_api import migrate
from feedback_api.db import get_sessionmaker
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Again: "):
            raise SystemExit("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def users_create(args: argparse.Namespace) -> None:
    from feedback_api.users.service import create_user

    password = _read_password()
    migrate.upgrade()
    with get_sessionmaker()() as session:
        try:
            create_user(
                session,
                args.name,
                args.role,
                password,
                display_name=args.display_name or "",
                gender=args.gender,
            )
        except ValueError as exc:
            raise SystemExit(str(exc)) from exc
        except Exception as exc:  # Conflict and friends: one clear line, not a traceback
            raise SystemExit(getattr(exc, "message", str(exc))) from exc
        session.commit()
    print(f"created {args.name} ({args.role})")


def users_set_password(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from feedback_api.users.models import User
    from feedback_api.users.service import set_password

    password = _read_password()
    migrate.upgrade()
    with get_sessionmaker()() as session:
        user = session.scalar(select(User).where(User.username == args.name))
        if user is None:
            raise SystemExit(f"no user {args.name!r}")
        try:
            set_password(session, user, password)
        except ValueError as exc:
            raise SystemExit(str(exc)) from exc
        session.commit()
    print(f"new password for {args.name}; their sessions have ended")


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    migrate.upgrade()
    settings = get_settings()
    uvicorn.run(
        "feedback_api.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
        access_log=False,
    )


def run(args: argparse.Namespace) -> None:
    from feedback_api.runner import run_all

    settings = get_settings()
    run_all(host=args.host or settings.host, port=args.port or settings.port)


def purge(_args: argparse.Namespace) -> None:
    from feedback_api.main import messaging
    from feedback_api.safeguarding import retention

    migrate.upgrade()
    # With the gateway: its messages and Rasa's conversations are purged too.
    counts = retention.run_once(messaging())
    print("purged past retention: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m feedback_api")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="migrate, then serve the API, webhooks and console")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=serve)

    p = commands.add_parser("run", help="the whole system: service, Rasa server, action server")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=run)

    p = commands.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(func=lambda _a: migrate.upgrade())

    p = commands.add_parser(
        "purge", help="purge what is past its retention now (the service also does it on a timer)"
    )
    p.set_defaults(func=purge)

    users = commands.add_parser("users", help="manage console users").add_subparsers(
        dest="users_command", required=True
    )
    p = users.add_parser("create", help="create a user; the password is read from standard input")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[role.value for role in Role])
    p.add_argument("--display-name")
    p.add_argument("--gender", choices=["female", "male"])
    p.set_defaults(func=users_create)
    p = users.add_parser(
        "set-password", help="a new password (standard input); ends the user's sessions"
    )
    p.add_argument("name")
    p.set_defaults(func=users_set_password)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
