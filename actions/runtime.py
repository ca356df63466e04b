"""The action server's shared objects, created once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from actions.api import FeedbackApi
from actions.knowledge import KnowledgeBase
from actions.settings import get_settings
from actions.spool import CaseSpool, SpoolDeliverer
from persian_text import languages


@dataclass(frozen=True)
class Services:
    api: FeedbackApi
    spool: CaseSpool
    deliverer: SpoolDeliverer
    knowledge: KnowledgeBase


@lru_cache(maxsize=1)
def services() -> Services:
    settings = get_settings()
    languages.use(settings.languages_file)
    api = FeedbackApi(settings)
    spool = CaseSpool(
        settings.actions_spool_path,
        settings.actions_spool_key.get_secret_value(),
        settings.spool_rejected_days,
    )
    deliverer = SpoolDeliverer(
        spool, api, settings.spool_retry_base_seconds, settings.spool_retry_max_seconds
    )
    if settings.actions_spool_worker:
        # Started with the process, not on the first complaint: cases spooled
        # before a restart must go out even if nobody writes again.
        deliverer.start()
    return Services(api, spool, deliverer, KnowledgeBase(settings.knowledge_dir))
