"""The one way an id from a request becomes an object: within a queryset already scoped to what
the actor may see; a missing, foreign, invisible or malformed id is the same 404 (SECURITY.md R1)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from .errors import NotFoundError

M = TypeVar("M", bound=Model)


def get_or_not_found(queryset: QuerySet[M], pk: Any) -> M:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFoundError()
    return obj
