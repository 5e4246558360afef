"""Page forms of crm: the board, the deal page, quick add and my tasks."""

from .activities import QuickAddForm, TaskDoneForm
from .deals import (
    INLINE_FIELD_CAPABILITY,
    INLINE_FIELDS,
    BoardFilterForm,
    DealCreateForm,
    DealFieldForm,
    DealLostForm,
    DealMoveForm,
    DealReopenForm,
    DealVersionForm,
)

__all__ = [
    "INLINE_FIELDS",
    "INLINE_FIELD_CAPABILITY",
    "BoardFilterForm",
    "DealCreateForm",
    "DealFieldForm",
    "DealLostForm",
    "DealMoveForm",
    "DealReopenForm",
    "DealVersionForm",
    "QuickAddForm",
    "TaskDoneForm",
]
