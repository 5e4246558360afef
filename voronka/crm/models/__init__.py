from .activities import Activity, ActivityKind
from .base import OwnedRecord, Tag
from .companies import Company, SizeBand
from .contacts import AgeBand, Contact, ContactPoint, Gender, PointKind
from .custom_fields import CustomEntity, CustomField, CustomFieldKind
from .deals import Deal, DealLineItem, DealStatus, StageTransition
from .imports import ImportJob, ImportKind, ImportStatus
from .pipelines import LostReason, Pipeline, Stage, StageKind
from .products import Product
from .timeline import TimelineEntry
from .views import SavedView

__all__ = [
    "Activity", "ActivityKind", "AgeBand", "Company", "Contact", "ContactPoint", "CustomEntity", "CustomField",
    "CustomFieldKind", "Deal", "DealLineItem", "DealStatus", "Gender", "ImportJob", "ImportKind", "ImportStatus",
    "LostReason", "OwnedRecord", "Pipeline", "PointKind", "Product", "SavedView", "SizeBand", "Stage", "StageKind",
    "StageTransition", "Tag", "TimelineEntry",
]
