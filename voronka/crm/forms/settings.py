"""CRM settings forms: pipelines, stages, lost reasons, products, custom fields.

They parse input; the services in services/pipelines.py, products.py and custom_fields.py own
the rules (unique names, one won stage, allowed required fields) and their errors come back
onto these forms.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CustomEntity, CustomFieldKind, StageKind


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    probability = forms.IntegerField(label=_("Default probability, %"), min_value=0, max_value=100, initial=0)
    stalled_after_days = forms.IntegerField(label=_("Stalled after, days"), min_value=1, max_value=3650,
                                            required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices, initial=StageKind.OPEN)
    required_fields = forms.MultipleChoiceField(
        label=_("Fields required before a deal enters"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, allowed_fields: list[str], labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["required_fields"]).choices = (
            [(name, labels.get(name, name)) for name in allowed_fields]
        )


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    price = forms.DecimalField(label=_("Price"), max_digits=14, decimal_places=2, min_value=0, initial=0)
    unit_cost = forms.DecimalField(label=_("Unit cost"), max_digits=14, decimal_places=2, min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class CustomFieldForm(forms.Form):
    entity = forms.ChoiceField(label=_("Entity"), choices=CustomEntity.choices)
    label = forms.CharField(label=_("Label"), max_length=100)
    key = forms.CharField(label=_("Key"), max_length=40,
                          help_text=_("Latin letters, digits and underscores, e.g. budget_code. Cannot change later."))
    kind = forms.ChoiceField(label=_("Type"), choices=CustomFieldKind.choices)
    choices = forms.CharField(label=_("Choices"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One per line (choice fields)."))
    is_required = forms.BooleanField(label=_("Required"), required=False)
    show_in_list = forms.BooleanField(label=_("Show in lists"), required=False, initial=True)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # Entity, key and type stay fixed once values exist.
            for name in ("entity", "key", "kind"):
                del self.fields[name]

    def choice_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("choices") or "").splitlines() if line.strip()]
