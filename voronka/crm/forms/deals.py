"""Deal forms for the board and the deal page: they parse and check shape; the rules live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership, Team, User
from voronka.accounts.roles import Capability
from voronka.channels.models import SalesChannel

from ..access import visible_companies
from ..models import Company, LostReason, Pipeline, Stage, StageKind
from ..selectors.board import BoardSort
from ..selectors.pipelines import lost_reason_list, visible_pipelines

# The company select on the create form lists this many of the most recently changed visible companies.
COMPANY_CHOICES_LIMIT = 200
MAX_AMOUNT = Decimal("99999999999999.99")


def member_users(actor: Actor) -> list[User]:
    """Active members of the workspace, by name (one query)."""
    memberships = (
        Membership.objects.filter(workspace_id=actor.workspace.pk, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [membership.user for membership in memberships]


def _user_choices(users: list[User], empty: Any) -> list[tuple[Any, Any]]:
    return [("", empty), *[(user.pk, user.display_name) for user in users]]


class BoardFilterForm(forms.Form):
    """The board's query string; anything that does not parse is ignored, never a 500."""

    pipeline = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)
    created_from = forms.DateField(label=_("Created from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        label=_("Sort cards by"),
        required=False,
        choices=[
            (BoardSort.RECENT, _("Newest in stage")),
            (BoardSort.AGE, _("Longest in stage")),
            (BoardSort.AMOUNT, _("Amount")),
            (BoardSort.CLOSE, _("Expected close")),
        ],
    )

    def __init__(self, *args: Any, actor: Actor, with_choices: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shows_people = actor.viewer.scope != "own"
        if not with_choices:
            # Column loads and moves only need the values: ids filter visible deals, so no lookups are needed.
            for name in ("owner", "team", "channel"):
                self.fields[name] = forms.IntegerField(required=False, min_value=1)
            return
        if self.shows_people:
            self.fields["owner"].choices = _user_choices(member_users(actor), _("Everyone"))  # type: ignore[attr-defined]
            teams = Team.objects.filter(workspace_id=actor.workspace.pk).order_by("name")
            self.fields["team"].choices = [("", _("All teams")), *[(t.pk, t.name) for t in teams]]  # type: ignore[attr-defined]
        else:
            del self.fields["owner"], self.fields["team"]
        channels = SalesChannel.objects.filter(workspace_id=actor.workspace.pk).order_by("name")
        self.fields["channel"].choices = [("", _("All channels")), *[(c.pk, c.name) for c in channels]]  # type: ignore[attr-defined]

    def value(self, name: str) -> Any:
        """The cleaned value, or None when the field is missing or did not parse."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


class DealMoveForm(forms.Form):
    stage_id = forms.IntegerField(min_value=1)
    version = forms.IntegerField(min_value=1)


class DealVersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DealLostForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    lost_reason = forms.ModelChoiceField(
        label=_("Why was it lost?"), queryset=LostReason.unscoped.none(), empty_label=_("— choose a reason —"),
        error_messages={"required": _("Choose the reason the deal was lost.")},
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = lost_reason_list(actor=actor)  # type: ignore[attr-defined]


class DealReopenForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    stage = forms.ModelChoiceField(label=_("Reopen in stage"), queryset=Stage.unscoped.none(), empty_label=None)

    def __init__(self, *args: Any, pipeline: Pipeline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = (  # type: ignore[attr-defined]
            Stage.objects.filter(workspace_id=pipeline.workspace_id, pipeline=pipeline, kind=StageKind.OPEN)
            .order_by("order", "id")
        )


class DealCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.unscoped.none(), empty_label=None)
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.unscoped.none(), required=False, empty_label=_("— first stage —"),
    )
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.unscoped.none(), required=False, empty_label=_("— none —"),
        help_text=_("The %(limit)s most recently changed companies you can see.") % {"limit": COMPANY_CHOICES_LIMIT},
    )
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_value=MAX_AMOUNT,
                                decimal_places=2)
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ModelChoiceField(label=_("Sales channel"), queryset=SalesChannel.unscoped.none(), required=False,
                                     empty_label=_("— none —"))
    lead_source = forms.CharField(label=_("Lead source"), max_length=100, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace_id = actor.workspace.pk
        self.fields["pipeline"].queryset = visible_pipelines(actor).order_by("order", "id")  # type: ignore[attr-defined]
        stages = list(
            Stage.objects.filter(workspace_id=workspace_id, kind=StageKind.OPEN,
                                 pipeline__in=visible_pipelines(actor))
            .select_related("pipeline").order_by("pipeline__order", "pipeline_id", "order", "id")
        )
        stage_field = self.fields["stage"]
        stage_field.queryset = Stage.objects.filter(pk__in=[s.pk for s in stages])  # type: ignore[attr-defined]
        groups: dict[str, list[tuple[int, str]]] = {}
        for stage in stages:
            groups.setdefault(stage.pipeline.name, []).append((stage.pk, stage.name))
        stage_field.choices = [("", _("— first stage —")), *groups.items()]  # type: ignore[attr-defined]
        company_field = self.fields["company"]
        companies = visible_companies(actor)
        company_field.queryset = companies  # type: ignore[attr-defined]
        recent = companies.order_by("-updated_at", "-id").values_list("pk", "name")[:COMPANY_CHOICES_LIMIT]
        company_field.choices = [("", _("— none —")), *sorted(recent, key=lambda c: c[1].lower())]  # type: ignore[attr-defined]
        self.fields["channel"].queryset = SalesChannel.objects.filter(workspace_id=workspace_id)  # type: ignore[attr-defined]
        self.users = {user.pk: user for user in member_users(actor)} if actor.can(Capability.CRM_ASSIGN) else {}
        if self.users:
            self.fields["owner"].choices = _user_choices(list(self.users.values()), _("— me —"))  # type: ignore[attr-defined]
        else:
            del self.fields["owner"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pipeline, stage = data.get("pipeline"), data.get("stage")
        if pipeline is not None and stage is not None and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("That stage belongs to another pipeline."))
        if "owner" in data and data["owner"] is not None:
            data["owner"] = self.users.get(data["owner"])
            if data["owner"] is None:
                self.add_error("owner", _("Choose a member of this workspace."))
        return data


# Deal fields the deal page edits in place, with the form field that parses each (built only when asked for).
def _inline_field(actor: Actor, name: str) -> forms.Field:
    if name == "title":
        return forms.CharField(label=_("Title"), max_length=200)
    if name == "amount":
        return forms.DecimalField(label=_("Amount"), min_value=0, max_value=MAX_AMOUNT, decimal_places=2)
    if name == "expected_close_date":
        return forms.DateField(label=_("Expected close date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    if name == "probability_override":
        return forms.IntegerField(label=_("Win probability, %"), required=False, min_value=0, max_value=100,
                                  help_text=_("Leave empty to use the stage's probability."))
    if name == "lead_source":
        return forms.CharField(label=_("Lead source"), max_length=100, required=False)
    if name == "channel":
        return forms.ModelChoiceField(label=_("Sales channel"), required=False, empty_label=_("— none —"),
                                      queryset=SalesChannel.objects.filter(workspace_id=actor.workspace.pk))
    if name == "owner":
        users = member_users(actor)
        return forms.TypedChoiceField(label=_("Owner"), coerce=int,
                                      choices=[(user.pk, user.display_name) for user in users])
    raise KeyError(name)


INLINE_FIELDS = ("title", "amount", "expected_close_date", "probability_override", "lead_source", "channel", "owner")
# Editing these needs more than CRM_EDIT_DEALS.
INLINE_FIELD_CAPABILITY = {"owner": Capability.CRM_ASSIGN}


class DealFieldForm(forms.Form):
    """Edit one deal field in place; the version read with the page travels in a hidden input."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: Actor, field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_name = field
        self.fields["value"] = _inline_field(actor, field)
