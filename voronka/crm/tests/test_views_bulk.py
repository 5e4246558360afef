"""Bulk actions: only visible ids are touched, denied roles change nothing, delete asks first,
stage moves report failures, and the quota answers 429 (R9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from voronka.crm.listing import QUOTA_LIMIT
from voronka.crm.models import Company, Deal, Tag
from voronka.crm.tests.factories import stage
from voronka.crm.tests.lists_factories import seed


def bulk(client, entity, **data):
    return client.post(reverse("crm:list-bulk", args=[entity]), data)


def owners(model, ids):
    return dict(model.unscoped.filter(pk__in=ids).values_list("pk", "owner_id"))


def test_assign_owner_touches_only_visible_ids(org, other_org, login_as):
    seeded = seed(org)
    foreign = seed(other_org)
    mine = sorted(seeded.ids("companies", "rep", "rep_south"))
    hidden = sorted(seeded.ids("companies", "admin"))
    foreign_ids = sorted(foreign.ids("companies", "rep"))
    before_hidden = owners(Company, hidden + foreign_ids)
    response = bulk(login_as(org.manager), "companies", action="assign", owner=org.manager.pk,
                    ids=mine + hidden + foreign_ids)
    assert response.status_code == 302
    assert set(owners(Company, mine).values()) == {org.manager.pk}
    assert owners(Company, hidden + foreign_ids) == before_hidden
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "4 records reassigned." in messages
    assert f"{len(hidden) + len(foreign_ids)} selected records were not found." in messages


@pytest.mark.parametrize(("role", "action"), [("rep", "assign"), ("marketer", "assign"), ("rep", "delete"),
                                              ("marketer", "delete"), ("marketer", "stage")])
def test_denied_roles_change_nothing(org, login_as, role, action):
    seeded = seed(org)
    ids = sorted(seeded.ids("deals", "rep"))
    before = list(Deal.unscoped.order_by("pk").values_list("pk", "owner_id", "stage_id", "version"))
    response = bulk(login_as(getattr(org, role)), "deals", action=action, owner=org.admin.pk,
                    stage=stage(seeded.pipeline, "Proposal").pk, ids=ids, confirm="yes")
    assert response.status_code == 403
    assert list(Deal.unscoped.order_by("pk").values_list("pk", "owner_id", "stage_id", "version")) == before


def test_delete_needs_confirmation(org, login_as):
    seeded = seed(org)
    ids = sorted(seeded.ids("contacts", "rep"))
    client = login_as(org.manager)
    confirm = bulk(client, "contacts", action="delete", ids=ids)
    assert confirm.status_code == 200
    assert "Delete 2 records?" in confirm.content.decode()
    assert Company.unscoped.count() == 8
    from voronka.crm.models import Contact

    assert Contact.unscoped.filter(pk__in=ids).count() == 2
    done = bulk(client, "contacts", action="delete", ids=ids, confirm="yes")
    assert done.status_code == 302
    assert Contact.unscoped.filter(pk__in=ids).count() == 0


def test_move_stage_reports_moved_and_failed(org, login_as):
    seeded = seed(org)
    ids = sorted(seeded.ids("deals", "rep"))
    target = stage(seeded.pipeline, "Proposal")
    target.required_fields = ["expected_close_date"]
    target.save()
    Deal.unscoped.filter(pk=ids[0]).update(expected_close_date="2030-01-01")
    response = bulk(login_as(org.rep), "deals", action="stage", stage=target.pk, ids=ids)
    assert response.status_code == 302
    assert Deal.unscoped.get(pk=ids[0]).stage_id == target.pk
    assert Deal.unscoped.get(pk=ids[1]).stage_id != target.pk
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "1 deal moved." in messages
    assert any(m.startswith("“rep deal 1” was not changed:") for m in messages)


def test_add_tag(org, login_as):
    seeded = seed(org)
    ids = sorted(seeded.ids("deals", "rep"))
    response = bulk(login_as(org.rep), "deals", action="tag", tag="hot", ids=ids + sorted(seeded.ids("deals", "admin")))
    assert response.status_code == 302
    tag = Tag.unscoped.get(workspace=org.workspace, name="hot")
    assert set(Deal.unscoped.filter(tags=tag).values_list("pk", flat=True)) == set(ids)


def test_unknown_action_or_no_rows(org, login_as):
    client = login_as(org.admin)
    assert bulk(client, "deals", action="explode", ids=[1]).status_code == 400
    assert bulk(client, "activities", action="tag", tag="x", ids=[1]).status_code == 400
    assert bulk(client, "nothing", action="assign", ids=[1]).status_code == 404
    assert bulk(client, "deals", action="assign", owner=org.admin.pk).status_code == 302


def test_bulk_quota(org, login_as):
    seeded = seed(org)
    client = login_as(org.admin)
    ids = sorted(seeded.ids("companies", "rep"))
    for _ in range(QUOTA_LIMIT):
        assert bulk(client, "companies", action="tag", tag="x", ids=ids).status_code == 302
    assert bulk(client, "companies", action="tag", tag="y", ids=ids).status_code == 429
    assert not Tag.unscoped.filter(name="y").exists()
