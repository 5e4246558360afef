"""The filter panels of the CRM lists: GET forms whose cleaned data become selector arguments.

A bad value in the query string (an unknown owner, a date like "yesterday") is dropped with a
field error on the panel; the list still renders with the filters that were valid.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.channels.models import SalesChannel

from ..models import ActivityKind, CustomField, CustomFieldKind, DealStatus, Pipeline, Stage
from ..selectors.people import visible_member_list, visible_team_list

CUSTOM_PREFIX = "cf_"
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _blank(choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", "—"), *choices]


class ListFilterForm(forms.Form):
    """Fields every list shares; subclasses add their own and `custom_fields` adds the workspace's."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    created_from = forms.DateField(label=_("Created from"), required=False, widget=DATE_INPUT)
    created_to = forms.DateField(label=_("Created to"), required=False, widget=DATE_INPUT)

    def __init__(
        self, data: Any = None, *, actor: Actor, custom_fields: list[CustomField] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.actor = actor
        # Only people and teams whose records the actor sees: a filter must not list the rest of the company.
        members = visible_member_list(actor=actor)
        cast(forms.ChoiceField, self.fields["owner"]).choices = (
            _blank([(m.user_id, m.user.display_name) for m in members])
        )
        if "team" in self.fields:
            teams = [(t.pk, t.name) for t in visible_team_list(actor=actor)]
            if teams:
                cast(forms.ChoiceField, self.fields["team"]).choices = _blank(teams)
            else:
                del self.fields["team"]  # a rep who sees only their own records has no team to filter by
        filterable = (CustomFieldKind.CHOICE, CustomFieldKind.TEXT)
        self.custom_fields = [f for f in custom_fields or [] if f.kind in filterable]
        for field in self.custom_fields:
            name = CUSTOM_PREFIX + field.key
            if field.kind == CustomFieldKind.CHOICE:
                options = [(str(choice), str(choice)) for choice in (field.choices or [])]
                self.fields[name] = forms.ChoiceField(label=field.label, required=False, choices=_blank(options))
            else:
                self.fields[name] = forms.CharField(label=field.label, required=False, max_length=200)

    # Field name in the form → keyword of the selector. Subclasses extend.
    selector_names: dict[str, str] = {
        "q": "search", "owner": "owner_id", "team": "team_id", "tag": "tag",
        "created_from": "created_from", "created_to": "created_to",
    }

    def selector_kwargs(self) -> dict[str, Any]:
        """Only the filters that hold a valid, non-empty value; invalid ones are left out."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        kwargs: dict[str, Any] = {}
        for field_name, kwarg in self.selector_names.items():
            value = cleaned.get(field_name)
            if field_name in self.errors or value in (None, "", False):
                continue
            kwargs[kwarg] = value.strip() if isinstance(value, str) else value
        custom = {
            field.key: cleaned[CUSTOM_PREFIX + field.key].strip()
            for field in self.custom_fields
            if CUSTOM_PREFIX + field.key not in self.errors and (cleaned.get(CUSTOM_PREFIX + field.key) or "").strip()
        }
        if custom:
            kwargs["custom"] = custom
        return kwargs

    def active_count(self) -> int:
        """How many filters (not the search box) are set: the panel's badge."""
        kwargs = self.selector_kwargs()
        custom = kwargs.pop("custom", {})
        kwargs.pop("search", None)
        return len(kwargs) + len(custom)

    def panel_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name != "q"]


def _channel_choices(actor: Actor) -> list[tuple[Any, Any]]:
    channels = SalesChannel.objects.filter(workspace_id=actor.workspace.pk).order_by("name")
    return _blank([(c.pk, c.name) for c in channels])


class CompanyFilterForm(ListFilterForm):
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    channel = forms.TypedChoiceField(label=_("Sales channel"), required=False, coerce=int, empty_value=None)

    selector_names = {**ListFilterForm.selector_names, "industry": "industry", "city": "city",
                      "channel": "channel_id"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["channel"]).choices = _channel_choices(self.actor)


class ContactFilterForm(ListFilterForm):
    company = forms.IntegerField(required=False, widget=forms.HiddenInput)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    lead_source = forms.CharField(label=_("Lead source"), required=False, max_length=100)

    selector_names = {**ListFilterForm.selector_names, "city": "city", "lead_source": "lead_source",
                      "company": "company_id"}


class DealFilterForm(ListFilterForm):
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), required=False, coerce=int, empty_value=None)
    stage = forms.TypedChoiceField(label=_("Stage"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(list(DealStatus.choices)))
    channel = forms.TypedChoiceField(label=_("Sales channel"), required=False, coerce=int, empty_value=None)
    lead_source = forms.CharField(label=_("Lead source"), required=False, max_length=100)
    close_from = forms.DateField(label=_("Expected close from"), required=False, widget=DATE_INPUT)
    close_to = forms.DateField(label=_("Expected close to"), required=False, widget=DATE_INPUT)
    amount_min = forms.DecimalField(label=_("Amount from"), required=False, max_digits=16, decimal_places=2)
    amount_max = forms.DecimalField(label=_("Amount to"), required=False, max_digits=16, decimal_places=2)
    stalled = forms.BooleanField(label=_("Stalled only"), required=False)
    company = forms.IntegerField(required=False, widget=forms.HiddenInput)

    selector_names = {
        **ListFilterForm.selector_names, "pipeline": "pipeline_id", "stage": "stage_id", "status": "status",
        "channel": "channel_id", "lead_source": "lead_source", "close_from": "close_from", "close_to": "close_to",
        "amount_min": "amount_min", "amount_max": "amount_max", "stalled": "stalled", "company": "company_id",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace_id = self.actor.workspace.pk
        cast(forms.ChoiceField, self.fields["pipeline"]).choices = _blank(
            [(p.pk, p.name) for p in Pipeline.objects.filter(workspace_id=workspace_id).order_by("order", "id")]
        )
        stages = Stage.objects.filter(workspace_id=workspace_id).select_related("pipeline").order_by(
            "pipeline__order", "pipeline_id", "order", "id"
        )
        cast(forms.ChoiceField, self.fields["stage"]).choices = (
            _blank([(s.pk, f"{s.pipeline.name} · {s.name}") for s in stages])
        )
        cast(forms.ChoiceField, self.fields["channel"]).choices = _channel_choices(self.actor)


class ActivityStatus:
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"
    CHOICES = [(OPEN, _("open")), (DONE, _("done")), (OVERDUE, _("overdue"))]


class ActivityFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=_blank(list(ActivityKind.choices)))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(ActivityStatus.CHOICES))
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_INPUT)
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DATE_INPUT)
    # activity_list has no tag, team or creation-date filters
    tag = None  # type: ignore[assignment]
    team = None  # type: ignore[assignment]
    created_from = None  # type: ignore[assignment]
    created_to = None  # type: ignore[assignment]

    selector_names = {"q": "search", "owner": "owner_id", "kind": "kind", "due_from": "due_from",
                      "due_to": "due_to"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("team", None)

    def selector_kwargs(self) -> dict[str, Any]:
        kwargs = super().selector_kwargs()
        status = self.cleaned_data.get("status") if "status" not in self.errors else ""
        if status == ActivityStatus.OPEN:
            kwargs["done"] = False
        elif status == ActivityStatus.DONE:
            kwargs["done"] = True
        elif status == ActivityStatus.OVERDUE:
            kwargs["overdue"] = True
        return kwargs
