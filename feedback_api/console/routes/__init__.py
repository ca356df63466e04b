"""The console's views by area; each module is views only (the rules are the domains').

| module | pages |
| --- | --- |
| auth | login, logout, interface language |
| queue | the queue of open cases and waiting chats, notifications |
| chat | live chats: claim, read, reply, end, take over, release |
| cases | the case list and the case page with its actions |
| phone | logging a hotline call |
| admin | users (admin), data retention (data protection officer) |
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from feedback_api.console.auth import PREFIX
from feedback_api.console.routes import admin, auth, cases, chat, phone, queue
from feedback_api.console.routes.common import not_found_pages

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(not_found_pages)])
for area in (auth, queue, chat, cases, phone, admin):
    router.include_router(area.router)
