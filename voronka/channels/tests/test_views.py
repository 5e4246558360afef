"""The channel catalogue pages: everyone with CRM access lists, CHANNELS_MANAGE edits; field errors,
deactivation with confirmation, another workspace's channel is 404, a query budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from voronka.channels.models import SalesChannel
from voronka.core.navigation import visible_parts

# config/urls.py does not mount the catalogue yet (the lead adds it); this URLconf does.

VALID = {"name": "Ozon", "kind": "marketplace", "fee_percent": "15", "fixed_cost_per_month": "12000",
         "acquisition_cost": "350"}


def make(org, name="Shop", **kwargs):
    return SalesChannel.unscoped.create(workspace=org.workspace, name=name, **kwargs)


@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_everyone_lists_the_catalogue(org, login_as, role, django_assert_max_num_queries):
    make(org, "Shop", fee_percent=Decimal("2.50"), fixed_cost_per_month=Decimal("1000"))
    make(org, "Old fair", is_active=False)
    client = login_as(getattr(org, role))
    client.get(reverse("channels:list"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("channels:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Shop") < html.index("Old fair")  # active first
    assert "2.50" in html and "1000.00" in html
    assert ('id="channel-new"' in html) is (role == "admin")


def test_an_empty_catalogue_says_so(org, login_as):
    html = login_as(org.admin).get(reverse("channels:list")).content.decode()
    assert 'id="channels-empty"' in html


def test_create(org, login_as):
    client = login_as(org.admin)
    assert client.get(reverse("channels:create")).status_code == 200
    response = client.post(reverse("channels:create"), VALID)
    assert response.status_code == 302
    channel = SalesChannel.unscoped.get(name="Ozon")
    assert (channel.fee_percent, channel.fixed_cost_per_month, channel.acquisition_cost) == (
        Decimal("15.00"), Decimal("12000.00"), Decimal("350.00"))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("fee_percent", "101", "Ensure this value is less than or equal to 100."),
    ("fee_percent", "-5", "Ensure this value is greater than or equal to 0."),
    ("fixed_cost_per_month", "-1", "Ensure this value is greater than or equal to 0."),
    ("acquisition_cost", "abc", "Enter a number."),
    ("name", "", "This field is required."),
])
def test_bad_input_is_a_field_error_and_nothing_is_saved(org, login_as, field, value, message):
    response = login_as(org.admin).post(reverse("channels:create"), {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SalesChannel.unscoped.filter(name="Ozon").exists()


def test_a_duplicate_name_is_a_field_error(org, login_as):
    make(org, "Ozon")
    response = login_as(org.admin).post(reverse("channels:create"), VALID)
    assert response.status_code == 400
    assert "Choose another name." in response.content.decode()
    assert SalesChannel.unscoped.filter(name="Ozon").count() == 1


def test_edit(org, login_as):
    channel = make(org)
    client = login_as(org.admin)
    page = client.get(reverse("channels:edit", args=[channel.pk]))
    assert page.status_code == 200 and 'value="Shop"' in page.content.decode()
    response = client.post(reverse("channels:edit", args=[channel.pk]), {**VALID, "name": "Shop 2"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.fee_percent) == ("Shop 2", Decimal("15.00"))


def test_deactivate_asks_first_then_activate(org, login_as):
    channel = make(org)
    client = login_as(org.admin)
    confirm = client.get(reverse("channels:deactivate", args=[channel.pk]))
    assert confirm.status_code == 200
    assert "Deactivate “Shop”?" in confirm.content.decode()
    channel.refresh_from_db()
    assert channel.is_active
    assert client.post(reverse("channels:deactivate", args=[channel.pk])).status_code == 302
    channel.refresh_from_db()
    assert not channel.is_active
    assert client.post(reverse("channels:activate", args=[channel.pk])).status_code == 302
    channel.refresh_from_db()
    assert channel.is_active


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_channel_managers_edit(org, login_as, role):
    channel = make(org)
    client = login_as(getattr(org, role))
    assert client.get(reverse("channels:create")).status_code == 403
    assert client.post(reverse("channels:create"), VALID).status_code == 403
    assert client.post(reverse("channels:edit", args=[channel.pk]), VALID).status_code == 403
    assert client.post(reverse("channels:deactivate", args=[channel.pk])).status_code == 403
    channel.refresh_from_db()
    assert (channel.name, channel.is_active) == ("Shop", True)
    assert SalesChannel.unscoped.count() == 1


def test_another_workspaces_channel_is_404(org, other_org, login_as):
    foreign = make(other_org, "Theirs")
    client = login_as(org.admin)
    for name in ("edit", "deactivate"):
        assert client.get(reverse(f"channels:{name}", args=[foreign.pk])).status_code == 404
    for name in ("edit", "deactivate", "activate"):
        assert client.post(reverse(f"channels:{name}", args=[foreign.pk]), VALID).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.name, foreign.is_active) == ("Theirs", True)


def test_the_catalogue_is_in_the_plan_menu(org):
    actor = org.actor(org.rep)
    parts = {part.part: [link.url_name for link in part.links]
             for part in visible_parts(lambda capability: actor.can(capability))}
    assert "channels:list" in parts["plan"]
    assert "analytics:channels" in parts["plan"]
    assert "analytics:reports" in parts["tools"]
