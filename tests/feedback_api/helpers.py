"""Helpers for tests that need an app over a real, committed database (not the rolled-back one)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from feedback_api.deps import get_session


def app_on(engine: Engine) -> FastAPI:
    """The service, its requests committing to `engine`'s database."""
    from feedback_api.main import build_app

    app = build_app()
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def committed_session() -> Iterator[Session]:
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    app.dependency_overrides[get_session] = committed_session
    return app
