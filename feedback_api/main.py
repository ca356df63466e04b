"""The ASGI application (`uvicorn feedback_api.main:app`)."""

from feedback_api.app import create_app

app = create_app()
