"""The channel form parses input; services.py owns the rules (ranges, unique names)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ChannelKind


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices, initial=ChannelKind.OTHER)
    fee_percent = forms.DecimalField(
        label=_("Fee or commission, %"), max_digits=5, decimal_places=2, min_value=Decimal(0),
        max_value=Decimal(100), initial=Decimal(0),
        help_text=_("The share of each won deal's amount the channel keeps (a marketplace's commission)."),
    )
    fixed_cost_per_month = forms.DecimalField(
        label=_("Fixed cost per month"), max_digits=14, decimal_places=2, min_value=Decimal(0), initial=Decimal(0),
        help_text=_("What running the channel costs every month whatever it sells (rent, subscriptions, staff)."),
    )
    acquisition_cost = forms.DecimalField(
        label=_("Acquisition cost per customer"), max_digits=14, decimal_places=2, min_value=Decimal(0),
        initial=Decimal(0),
        help_text=_("What winning one customer through the channel costs (advertising, a partner's bounty)."),
    )
