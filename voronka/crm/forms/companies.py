"""Company forms, and the base every record form shares: custom fields by kind, owner, tags.

Forms only parse what was typed; the services validate (custom values, domains, duplicates)
and their field errors are put back on the form (`record_form_errors`).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.accounts.selectors import membership_list
from voronka.channels.models import SalesChannel
from voronka.core.errors import ApplicationError
from voronka.core.pages import add_service_error

from ..models import CustomField, CustomFieldKind, SizeBand

CUSTOM_PREFIX = "cf_"
VERSION_FIELD = "version"


def _blank(choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", "—"), *choices]


def custom_form_field(field: CustomField) -> forms.Field:
    """A form field for a custom field; values go to the service as typed, which validates them."""
    common: dict[str, Any] = {"label": field.label, "required": False}
    if field.kind == CustomFieldKind.CHOICE:
        return forms.ChoiceField(choices=_blank([(str(c), str(c)) for c in field.choices or []]), **common)
    if field.kind == CustomFieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), max_length=40, **common)
    if field.kind == CustomFieldKind.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_length=40, **common)
    return forms.CharField(max_length=1000, **common)


class RecordForm(forms.Form):
    """Owner (with CRM_ASSIGN), tags, the workspace's custom fields and the edited version."""

    tags = forms.CharField(label=_("Tags"), required=False, max_length=500,
                           help_text=_("Separate tags with commas."))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, actor: Actor, custom_fields: list[CustomField], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.actor = actor
        self.custom_fields = custom_fields
        if actor.can(Capability.CRM_ASSIGN):
            self.fields["owner_id"] = forms.TypedChoiceField(
                label=_("Owner"), required=False, coerce=int, empty_value=None,
                choices=_blank([(m.user_id, m.user.display_name) for m in membership_list(actor=actor)]),
            )
        for field in custom_fields:
            self.fields[CUSTOM_PREFIX + field.key] = custom_form_field(field)
            if field.is_required:
                self.fields[CUSTOM_PREFIX + field.key].label = f"{field.label} *"
        # Move tags and version after the entity's own fields.
        for name in ("tags", "version"):
            self.fields[name] = self.fields.pop(name)

    own_fields: tuple[str, ...] = ()

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data: dict[str, Any] = {name: cleaned.get(name) for name in self.own_fields}
        data["tags"] = [name.strip() for name in (cleaned.get("tags") or "").split(",") if name.strip()]
        data["custom"] = {f.key: cleaned.get(CUSTOM_PREFIX + f.key) or "" for f in self.custom_fields}
        if cleaned.get("owner_id"):
            data["owner_id"] = cleaned["owner_id"]
        return data

    def add_service_error(self, error: ApplicationError) -> None:
        """The service's field errors on the matching inputs, the summary on top."""
        add_service_error(self, error, field_names=service_field_to_form)


def service_field_to_form(name: str) -> str:
    """A service's field name as this form calls it: custom.<key> → cf_<key>, owner → owner_id."""
    if name.startswith("custom."):
        return CUSTOM_PREFIX + name.removeprefix("custom.")
    return "owner_id" if name == "owner" else name


def record_initial(record: Any, own_fields: tuple[str, ...], custom_fields: list[CustomField]) -> dict[str, Any]:
    initial = {name: getattr(record, name, None) for name in own_fields}
    initial.update({CUSTOM_PREFIX + f.key: (record.custom or {}).get(f.key, "") for f in custom_fields})
    initial["tags"] = ", ".join(tag.name for tag in record.tags.all())
    initial["owner_id"] = record.owner_id
    initial["version"] = record.version
    return initial


def current_initial(current: dict[str, Any], own_fields: tuple[str, ...],
                    custom_fields: list[CustomField]) -> dict[str, Any]:
    """Form values from a ConflictError's `current` snapshot: what the record holds now."""
    initial = {name: current.get(name, current.get(f"{name}_id")) for name in own_fields}
    initial.update({CUSTOM_PREFIX + f.key: (current.get("custom") or {}).get(f.key, "") for f in custom_fields})
    initial["tags"] = ", ".join(current.get("tags") or [])
    owner = current.get("owner") or {}
    initial["owner_id"] = owner.get("id") if isinstance(owner, dict) else None
    initial["version"] = current.get("version")
    return initial


class CompanyForm(RecordForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    domain = forms.CharField(label=_("Domain"), required=False, max_length=200)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    size_band = forms.ChoiceField(label=_("Size"), required=False, choices=_blank(list(SizeBand.choices)))
    country = forms.CharField(label=_("Country"), required=False, max_length=100)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    annual_revenue = forms.DecimalField(label=_("Annual revenue"), required=False, max_digits=16, decimal_places=2,
                                        min_value=0)
    channel_id = forms.TypedChoiceField(label=_("Sales channel"), required=False, coerce=int, empty_value=None)

    own_fields = ("name", "domain", "industry", "size_band", "country", "region", "city", "annual_revenue",
                  "channel_id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = SalesChannel.objects.filter(workspace_id=self.actor.workspace.pk).order_by("name")
        cast(forms.ChoiceField, self.fields["channel_id"]).choices = _blank([(c.pk, c.name) for c in channels])
