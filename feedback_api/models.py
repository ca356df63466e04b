"""Every table of the service, for Alembic and for tests that build the schema."""

import channels.models  # noqa: F401  (the channel gateway tables)
from feedback_api.audit.models import AuditEntry
from feedback_api.cases.models import Case, TimelineEntry
from feedback_api.contacts.models import Contact, VaultEntry
from feedback_api.db import Base
from feedback_api.handoff.models import Handoff
from feedback_api.users.models import User

__all__ = [
    "AuditEntry",
    "Base",
    "Case",
    "Contact",
    "Handoff",
    "TimelineEntry",
    "User",
    "VaultEntry",
]
