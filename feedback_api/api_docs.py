"""The API documentation, /docs and /openapi.json: for logged-in staff; off in production."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from feedback_api.console.auth import ConsoleUserDep
from feedback_api.middleware import CONTENT_SECURITY_POLICY

# Swagger UI comes from its CDN (the service does not ship it); its start-up script is a
# file of ours, so the page runs no inline script either.
SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", f"script-src 'self' {SWAGGER}/"
).replace("style-src 'self'", f"style-src 'self' {SWAGGER}/")
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>AAP feedback API</title>
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/console/static/api-docs.js"></script>
</body>
</html>
"""


def mount_docs(app: FastAPI) -> None:
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    def openapi(user: ConsoleUserDep) -> JSONResponse:
        return JSONResponse(app.openapi())

    @router.get("/docs")
    def docs(user: ConsoleUserDep) -> HTMLResponse:
        return HTMLResponse(
            PAGE,
            headers={"Content-Security-Policy": DOCS_POLICY, "Cache-Control": "no-store"},
        )

    app.include_router(router)
