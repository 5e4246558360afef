"""What the goals pages share: method checks after the object is resolved, the viewer's numbers."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone

from voronka.accounts.actor import Actor
from voronka.metrics.selectors import scope_for

from ..services.numbers import Numbers

PER_PAGE = 25


def wrong_method(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    """405 for a method the route does not take, checked after the object was resolved so that another
    workspace's id is a 404 whatever the method."""
    methods = set(allowed) | ({"HEAD"} if "GET" in allowed else set())
    if request.method not in methods:
        return HttpResponseNotAllowed(sorted(methods))
    return None


def numbers_for(actor: Actor) -> tuple[Numbers, dt.datetime]:
    now = timezone.now()
    return Numbers(scope_for(actor, now=now)), now


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
