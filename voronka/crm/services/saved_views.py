"""Saved views: a named list query a user keeps, optionally shared (read only) with the workspace."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, PermissionDeniedError

from ..models import SavedView

ENTITIES = ("deals", "companies", "contacts", "activities")
QUERY_MAX = 2000
NAME_MAX = 100
# Paging and tokens are not part of a view.
DROPPED_KEYS = frozenset({"page", "csrfmiddlewaretoken", "view", "fmt"})


def saved_view_query_clean(query: str) -> str:
    """Re-encode a query string so what is stored is inert: parsed and urlencoded, paging dropped."""
    parsed = QueryDict(query or "")
    kept = QueryDict(mutable=True)
    for key in parsed:
        values = [value for value in parsed.getlist(key) if value != ""]
        if key not in DROPPED_KEYS and values:
            kept.setlist(key, values)
    return kept.urlencode()


@transaction.atomic
def saved_view_create(*, actor: Actor, entity: str, name: str, query: str, is_shared: bool = False) -> SavedView:
    """Keep the current list query under a name; a name already used for this list is replaced."""
    actor.require(Capability.CRM_VIEW)
    if entity not in ENTITIES:
        raise ApplicationError(_("Unknown list."), fields={"entity": [_("Not a valid choice.")]})
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Give the view a name."), fields={"name": [_("This field is required.")]})
    if len(name) > NAME_MAX:
        raise ApplicationError(
            _("The name is too long."),
            fields={"name": [_("At most %(count)d characters.") % {"count": NAME_MAX}]},
        )
    cleaned = saved_view_query_clean(query)
    if len(cleaned) > QUERY_MAX:
        raise ApplicationError(_("This view has too many filters to save."), fields={"query": [_("Too long.")]})
    existing = SavedView.objects.select_for_update().filter(
        workspace_id=actor.workspace.pk, user_id=actor.user.pk, entity=entity, name=name
    ).first()
    if existing is not None:
        existing.query = cleaned
        existing.is_shared = bool(is_shared)
        existing.save(update_fields=["query", "is_shared", "updated_at"])
        return existing
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                workspace=actor.workspace, user=actor.user, entity=entity, name=name, query=cleaned,
                is_shared=bool(is_shared),
            )
    except IntegrityError as error:  # the same name saved concurrently
        raise ApplicationError(_("A view with this name was just saved. Try again."),
                               fields={"name": [_("Already used.")]}) from error


@transaction.atomic
def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    """Delete one of the actor's own views; a view someone else shared is read only (403)."""
    ensure_same_workspace(actor, view)
    if view.user_id != actor.user.pk:
        raise PermissionDeniedError(_("Only the person who saved this view can delete it."))
    view.delete()
