"""ORM models; importing this package registers every table on ``Base.metadata``."""

# Feature models (each module owned by its feature; importing registers its tables).
from massline.db.models import (  # noqa: F401
    claims,
    consult,
    deadlines,
    engine,
    forecast,
    guide,
    publish,
    routing,
    security,
    users,
    workorders,
)
from massline.db.models.audit import AuditEvent
from massline.db.models.intake import Quarantine, RawItem, Source
from massline.db.models.message import AnalysisResult, Message

__all__ = ["AnalysisResult", "AuditEvent", "Message", "Quarantine", "RawItem", "Source"]
