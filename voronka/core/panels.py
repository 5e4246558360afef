"""Panels that higher apps add to a lower app's detail pages, without the lower app importing them.

crm's deal page renders `panels_for("deal", request, deal)`; funnel registers a win-probability
panel, strategy a battle card, scripts a "start a call" button, feedback the survey answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    key: str
    entity: str  # "deal", "contact", "company"
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]  # None hides the panel
    order: int = 100


_panels: dict[tuple[str, str], Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[(panel.entity, panel.key)] = panel


def panels_for(entity: str, request: HttpRequest, obj: Any) -> list[SafeString]:
    """Rendered panels for one object, in order; templates autoescape everything they show."""
    rendered = []
    for panel in sorted((p for (e, _k), p in _panels.items() if e == entity), key=lambda p: (p.order, p.key)):
        context = panel.context(request, obj)
        if context is not None:
            rendered.append(render_to_string(panel.template, context, request=request))
    return [SafeString(html) for html in rendered]
