"""Saved views on the list pages: save, apply (dropdown), shared with others, delete own only."""

from __future__ import annotations

from django.urls import reverse

from voronka.crm.models import SavedView


def test_save_and_apply(org, login_as):
    client = login_as(org.rep)
    response = client.post(reverse("crm:saved-view-create", args=["deals"]),
                           {"name": "Open", "query": "status=open&page=2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:deal-list") + "?status=open"
    view = SavedView.unscoped.get()
    html = client.get(reverse("crm:deal-list")).content.decode()
    assert f'data-saved-view="{view.pk}"' in html
    assert f'href="{reverse("crm:deal-list")}?status=open"' in html


def test_shared_view_shows_to_others_but_private_does_not(org, login_as):
    shared = SavedView.unscoped.create(workspace=org.workspace, user=org.rep, entity="deals", name="Shared",
                                       query="status=won", is_shared=True)
    private = SavedView.unscoped.create(workspace=org.workspace, user=org.rep, entity="deals", name="Private")
    html = login_as(org.rep_south).get(reverse("crm:deal-list")).content.decode()
    assert f'data-saved-view="{shared.pk}"' in html
    assert f'data-saved-view="{private.pk}"' not in html
    # no delete button on someone else's view
    assert reverse("crm:saved-view-delete", args=[shared.pk]) not in html


def test_delete_own(org, login_as):
    view = SavedView.unscoped.create(workspace=org.workspace, user=org.rep, entity="contacts", name="Mine")
    response = login_as(org.rep).post(reverse("crm:saved-view-delete", args=[view.pk]))
    assert response.status_code == 302
    assert not SavedView.unscoped.exists()


def test_others_cannot_delete(org, login_as):
    shared = SavedView.unscoped.create(workspace=org.workspace, user=org.rep, entity="deals", name="S",
                                       is_shared=True)
    private = SavedView.unscoped.create(workspace=org.workspace, user=org.rep, entity="deals", name="P")
    client = login_as(org.admin)
    assert client.post(reverse("crm:saved-view-delete", args=[shared.pk])).status_code == 403
    assert client.post(reverse("crm:saved-view-delete", args=[private.pk])).status_code == 404
    assert SavedView.unscoped.count() == 2


def test_other_workspace_view_is_404(org, other_org, login_as):
    view = SavedView.unscoped.create(workspace=other_org.workspace, user=other_org.admin, entity="deals",
                                     name="X", is_shared=True)
    assert login_as(org.admin).post(reverse("crm:saved-view-delete", args=[view.pk])).status_code == 404
    assert SavedView.unscoped.filter(pk=view.pk).exists()


def test_bad_name_is_a_message_not_500(org, login_as):
    response = login_as(org.rep).post(reverse("crm:saved-view-create", args=["deals"]), {"name": "", "query": ""})
    assert response.status_code == 302
    assert not SavedView.unscoped.exists()
