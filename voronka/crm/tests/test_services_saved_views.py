"""saved_view_create / saved_view_delete: own views, shared views read only for others."""

from __future__ import annotations

import pytest

from voronka.core.errors import ApplicationError, PermissionDeniedError
from voronka.crm.models import SavedView
from voronka.crm.services.saved_views import saved_view_create, saved_view_delete, saved_view_query_clean


def test_create_keeps_the_query_without_paging(org, scoped):
    view = saved_view_create(actor=org.actor(org.rep), entity="deals", name="  My   open ",
                             query="status=open&page=3&q=&owner=5")
    assert (view.name, view.query, view.is_shared, view.user_id) == ("My open", "status=open&owner=5", False,
                                                                      org.rep.pk)


def test_same_name_replaces(org, scoped):
    actor = org.actor(org.rep)
    first = saved_view_create(actor=actor, entity="deals", name="Mine", query="status=open")
    second = saved_view_create(actor=actor, entity="deals", name="Mine", query="status=won", is_shared=True)
    assert first.pk == second.pk
    assert SavedView.objects.get().query == "status=won"


@pytest.mark.parametrize(("entity", "name"), [("users", "x"), ("deals", ""), ("deals", "x" * 101)])
def test_bad_input_is_refused(org, scoped, entity, name):
    with pytest.raises(ApplicationError):
        saved_view_create(actor=org.actor(org.rep), entity=entity, name=name, query="")
    assert not SavedView.objects.exists()


def test_query_is_reencoded():
    assert saved_view_query_clean('q="><script>&sort=-amount') == "q=%22%3E%3Cscript%3E&sort=-amount"


def test_owner_deletes_own_view(org, scoped):
    view = saved_view_create(actor=org.actor(org.rep), entity="deals", name="Mine", query="")
    saved_view_delete(actor=org.actor(org.rep), view=view)
    assert not SavedView.objects.exists()


def test_others_cannot_delete_a_shared_view(org, scoped):
    view = saved_view_create(actor=org.actor(org.rep), entity="deals", name="Team", query="", is_shared=True)
    with pytest.raises(PermissionDeniedError):
        saved_view_delete(actor=org.actor(org.admin), view=view)
    assert SavedView.objects.filter(pk=view.pk).exists()
