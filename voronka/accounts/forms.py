"""Page forms: they parse and check shape only; the rules live in services."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.core.money import CURRENCIES

from .actor import Actor
from .models import Team
from .roles import MANAGER_INVITABLE_ROLES, Capability, Role
from .selectors import team_list

LANGUAGE_CHOICES = [("en", _("English")), ("ru", _("Russian"))]


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=120)
    currency = forms.ChoiceField(label=_("Currency"), choices=[(code, code) for code in CURRENCIES])
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=LANGUAGE_CHOICES,
        help_text=_("The language of emails and exports for the whole workspace."),
    )
    reps_see_team = forms.BooleanField(
        label=_("Sales reps see their team's records"),
        required=False,
        help_text=_("When on, a sales rep sees the records of their whole team, not only their own."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Parent team"), queryset=Team.unscoped.none(), required=False, empty_label=_("— none (top level) —")
    )

    def __init__(self, *args: Any, actor: Actor, exclude: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = team_list(actor=actor)
        if exclude is not None:
            teams = teams.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = teams  # type: ignore[attr-defined]


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.unscoped.none(), required=False, empty_label=_("— no team —")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(actor=actor)  # type: ignore[attr-defined]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REP)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.unscoped.none(), required=False, empty_label=_("— no team —")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(actor=actor)  # type: ignore[attr-defined]
        if not actor.can(Capability.MANAGE_MEMBERS):
            # Offer only what the service will accept; it still checks.
            self.fields["role"].choices = [c for c in Role.choices if c[0] in MANAGER_INVITABLE_ROLES]  # type: ignore[attr-defined]


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say where it is used, e.g. “Website form” or “Reporting script”."),
    )
