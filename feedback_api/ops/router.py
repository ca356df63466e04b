"""`/ready` and `/metrics`, for whoever runs the deployment (beside `/health`).

/metrics answers loopback (a Prometheus on the same machine) or `Authorization: Bearer
$METRICS_TOKEN`. A request that came through a reverse proxy does not count as loopback
even when the proxy runs on the same machine: it carries a forwarding header (the proxies
of deploy/ also refuse /metrics outright).
"""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from feedback_api.crypto import constant_time_equals
from feedback_api.deps import (
    BearerDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    source_address,
)
from feedback_api.errors import Forbidden, documented
from feedback_api.ops import metrics, service

router = APIRouter(tags=["health"])
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def _loopback(request: Request) -> bool:
    try:
        local = ipaddress.ip_address(source_address(request)).is_loopback
    except ValueError:
        return False
    return local and not any(header in request.headers for header in PROXY_HEADERS)


def _may_scrape(request: Request, credentials: BearerDep, settings: SettingsDep) -> None:
    token = settings.metrics_token
    if credentials is not None and token is not None:
        if constant_time_equals(credentials.credentials, token.get_secret_value()):
            return
    elif _loopback(request):
        return
    raise Forbidden("metrics answer loopback or the metrics token only", code="metrics_forbidden")


@router.get(
    "/ready",
    responses={503: {"description": "a part is not ready; `components` says which"}},
)
async def ready(session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """200 when the assistant can answer: the database, every Rasa server with its model
    loaded, and the action server; 503 naming the parts that are not."""
    readiness = await service.readiness(session, settings)
    return JSONResponse(readiness.body(), status_code=200 if readiness.ready else 503)


@router.get("/metrics", responses=documented(403))
def scrape(
    session: ReadSessionDep, request: Request, credentials: BearerDep, settings: SettingsDep
) -> Response:
    """Prometheus text format: message counts and queues, people waiting, cases, turns."""
    _may_scrape(request, credentials, settings)
    return Response(metrics.render(session), media_type=metrics.CONTENT_TYPE)
