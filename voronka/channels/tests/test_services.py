"""Channel catalogue services: create, update, deactivate; economics validated; every change audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from voronka.channels import services
from voronka.channels.models import SalesChannel
from voronka.core.errors import ApplicationError, PermissionDeniedError
from voronka.core.models import AuditEntry


def test_create_with_economics(org, scoped):
    channel = services.channel_create(actor=org.actor(org.admin), data={
        "name": "  Ozon ", "kind": "marketplace", "fee_percent": "15,5", "fixed_cost_per_month": 12000,
        "acquisition_cost": "350.555"})
    assert (channel.name, channel.kind, channel.fee_percent) == ("Ozon", "marketplace", Decimal("15.50"))
    assert (channel.fixed_cost_per_month, channel.acquisition_cost) == (Decimal("12000.00"), Decimal("350.56"))
    entry = AuditEntry.objects.get(action="channels.channel.create")
    assert entry.diff == {"name": "Ozon", "fee_percent": "15.50", "fixed_cost_per_month": "12000.00",
                          "acquisition_cost": "350.56"}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"fee_percent": "100.01"}, "fee_percent", "Enter at most 100."),
    ({"fee_percent": "-1"}, "fee_percent", "Enter zero or more."),
    ({"fixed_cost_per_month": "-0.01"}, "fixed_cost_per_month", "Enter zero or more."),
    ({"acquisition_cost": "lots"}, "acquisition_cost", "Enter a number."),
    ({"acquisition_cost": "NaN"}, "acquisition_cost", "Enter a number."),
    ({"fixed_cost_per_month": "1e20"}, "fixed_cost_per_month", "Enter at most 999999999999.99."),
    ({"name": "   "}, "name", "Enter a name."),
    ({"name": "x" * 121}, "name", "At most 120 characters."),
    ({"kind": "telepathy"}, "kind", "Not a valid choice."),
])
def test_bad_economics_are_refused_and_nothing_is_saved(org, scoped, data, field, message):
    with pytest.raises(ApplicationError) as refused:
        services.channel_create(actor=org.actor(org.admin), data={"name": "Ozon", **data})
    assert refused.value.fields == {field: [message]}
    assert not SalesChannel.objects.filter(name="Ozon").exists()


def test_the_database_refuses_out_of_range_economics_too(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesChannel.unscoped.create(workspace=org.workspace, name="Bad", fee_percent=Decimal("120"))
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesChannel.unscoped.create(workspace=org.workspace, name="Bad", acquisition_cost=Decimal("-1"))


def test_duplicate_names_are_a_field_error(org, scoped):
    services.channel_create(actor=org.actor(org.admin), data={"name": "Ozon"})
    with pytest.raises(ApplicationError) as refused:
        services.channel_create(actor=org.actor(org.admin), data={"name": "Ozon"})
    assert refused.value.fields == {"name": ["Choose another name."]}


def test_update_audits_old_and_new_figures(org, scoped):
    actor = org.actor(org.admin)
    channel = services.channel_create(actor=actor, data={"name": "Shop", "fee_percent": 3})
    services.channel_update(actor=actor, channel=channel, data={"fee_percent": "4.5", "name": "Shop"})
    entry = AuditEntry.objects.get(action="channels.channel.update")
    assert entry.diff == {"fee_percent": ["3.00", "4.50"]}
    channel.refresh_from_db()
    assert channel.fee_percent == Decimal("4.50")
    services.channel_update(actor=actor, channel=channel, data={"fee_percent": "4.50"})
    assert AuditEntry.objects.filter(action="channels.channel.update").count() == 1  # nothing changed


def test_deactivate_and_activate(org, scoped):
    actor = org.actor(org.admin)
    channel = services.channel_create(actor=actor, data={"name": "Shop"})
    services.channel_deactivate(actor=actor, channel=channel)
    assert SalesChannel.objects.get(pk=channel.pk).is_active is False
    services.channel_activate(actor=actor, channel=channel)
    assert SalesChannel.objects.get(pk=channel.pk).is_active is True


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_channel_managers_change_the_catalogue(org, scoped, role):
    channel = SalesChannel.objects.create(workspace=org.workspace, name="Shop")
    actor = org.actor(getattr(org, role))
    with pytest.raises(PermissionDeniedError):
        services.channel_create(actor=actor, data={"name": "Mine"})
    with pytest.raises(PermissionDeniedError):
        services.channel_update(actor=actor, channel=channel, data={"fee_percent": 50})
    assert SalesChannel.objects.get(pk=channel.pk).fee_percent == 0
    assert not SalesChannel.objects.filter(name="Mine").exists()


def test_another_workspaces_channel_cannot_be_changed(org, other_org, scoped):
    foreign = SalesChannel.unscoped.create(workspace=other_org.workspace, name="Theirs")
    with pytest.raises(ApplicationError):
        services.channel_update(actor=org.actor(org.admin), channel=foreign, data={"fee_percent": 1})
    foreign.refresh_from_db()
    assert foreign.fee_percent == 0


def test_seed_is_idempotent(org):
    first = services.channel_seed_defaults(workspace=org.workspace)
    second = services.channel_seed_defaults(workspace=org.workspace)
    assert [c.pk for c in first] == [c.pk for c in second]
    assert len(first) == 5
