"""The machinery every CRM list shares: filter form → selector arguments, a sort whitelist,
pagination that counts once, columns (with the workspace's custom fields), saved views, and the
per-user quota on bulk actions and exports (SECURITY.md R9).

A `ListSpec` describes one list; `build_list` turns a request's query string into a page of
rows. The table and the export read the same rows through the same columns, so an export is
exactly the list the user was looking at, without the pagination.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ThrottledError
from voronka.core.models import AuditEntry

from . import access
from .forms.filters import (
    ActivityFilterForm,
    CompanyFilterForm,
    ContactFilterForm,
    DealFilterForm,
    ListFilterForm,
)
from .models import CustomEntity, CustomField, SavedView
from .selectors.activities import activity_list
from .selectors.companies import company_list
from .selectors.contacts import contact_list
from .selectors.deals import deal_list

PER_PAGE_CHOICES = (25, 50, 100)
EXPORT_MAX_ROWS = 100_000
# R9: bulk actions and exports per user in a sliding window, counted on the audit table so the
# limit holds across processes and restarts (the default cache is per process).
QUOTA_ACTIONS = ("crm.export", "crm.bulk")
QUOTA_LIMIT = 30
QUOTA_WINDOW = dt.timedelta(minutes=10)
# Query-string keys that describe a view; anything else (page, csrf) is not saved or exported.
NON_FILTER_KEYS = frozenset({"page", "csrfmiddlewaretoken", "fmt", "view"})


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str
    value: Callable[[Any], Any]
    sort: tuple[str, ...] | None = None  # ORM fields; None: not sortable
    link: Callable[[Any], str | None] | None = None
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    value: Any
    url: str | None = None
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    pk: int
    obj: Any
    cells: list[Cell]


@dataclass(frozen=True)
class ListSpec:
    entity: str  # the URL segment and SavedView.entity: deals, companies, contacts, activities
    title: Promise
    custom_entity: str
    selector: Callable[..., QuerySet[Any]]
    visible: Callable[[Actor], QuerySet[Any]]
    filter_form: type[ListFilterForm]
    columns: tuple[Column, ...]
    default_sort: str
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    create_url: str | None = None
    edit_capability: Capability = Capability.CRM_EDIT_CONTACTS
    has_tags: bool = True
    has_stages: bool = False

    @property
    def list_url(self) -> str:
        return reverse(f"crm:{self.singular}-list")

    @property
    def singular(self) -> str:
        return {"deals": "deal", "companies": "company", "contacts": "contact", "activities": "activity"}[self.entity]


def _owner(obj: Any) -> str:
    return obj.owner.display_name if obj.owner_id else ""


def _tags(obj: Any) -> str:
    tags = getattr(obj, "tag_list", None)  # deal_list prefetches a plain list
    return ", ".join(tag.name for tag in (obj.tags.all() if tags is None else tags))


def _link(name: str, attr: str = "pk") -> Callable[[Any], str | None]:
    def build(obj: Any) -> str | None:
        pk = getattr(obj, attr)
        return reverse(name, args=[pk]) if pk else None

    return build


OWNER = Column("owner", _("Owner"), _owner, ("owner__full_name", "owner__email"))
TAGS = Column("tags", _("Tags"), _tags)
CREATED = Column("created", _("Created"), lambda o: o.created_at, ("created_at",))

DEALS = ListSpec(
    entity="deals", title=_("Deals"), custom_entity=CustomEntity.DEAL, selector=deal_list,
    visible=access.visible_deals, filter_form=DealFilterForm, default_sort="-created",
    related=("owner", "company", "stage", "pipeline"), create_url="crm:deal-create",  # deal_list prefetches tags
    edit_capability=Capability.CRM_EDIT_DEALS, has_stages=True,
    columns=(
        Column("title", _("Title"), lambda o: o.title, ("title",), _link("crm:deal-detail")),
        Column("company", _("Company"), lambda o: o.company.name if o.company_id else "", ("company__name",),
               _link("crm:company-detail", "company_id")),
        Column("stage", _("Stage"), lambda o: f"{o.pipeline.name} · {o.stage.name}",
               ("pipeline__order", "pipeline_id", "stage__order")),
        Column("amount", _("Amount"), lambda o: o.amount, ("amount",), numeric=True),
        Column("status", _("Status"), lambda o: o.get_status_display(), ("status",)),
        Column("close", _("Expected close"), lambda o: o.expected_close_date, ("expected_close_date",)),
        OWNER, TAGS, CREATED,
    ),
)

COMPANIES = ListSpec(
    entity="companies", title=_("Companies"), custom_entity=CustomEntity.COMPANY,
    selector=company_list, visible=access.visible_companies,
    filter_form=CompanyFilterForm, default_sort="name", related=("owner", "channel"), prefetch=("tags",),
    create_url="crm:company-create",
    columns=(
        Column("name", _("Name"), lambda o: o.name, ("name_key",), _link("crm:company-detail")),
        Column("domain", _("Domain"), lambda o: o.domain, ("domain",)),
        Column("industry", _("Industry"), lambda o: o.industry, ("industry",)),
        Column("city", _("City"), lambda o: o.city, ("city",)),
        Column("channel", _("Sales channel"), lambda o: o.channel.name if o.channel_id else "", ("channel__name",)),
        OWNER, TAGS, CREATED,
    ),
)

CONTACTS = ListSpec(
    entity="contacts", title=_("Contacts"), custom_entity=CustomEntity.CONTACT,
    selector=contact_list, visible=access.visible_contacts,
    filter_form=ContactFilterForm, default_sort="name", related=("owner", "company"), prefetch=("tags",),
    create_url="crm:contact-create",
    columns=(
        Column("name", _("Name"), lambda o: o.full_name, ("full_name",), _link("crm:contact-detail")),
        Column("email", _("Email"), lambda o: o.email, ("email",)),
        Column("phone", _("Phone"), lambda o: o.phone, ("phone",)),
        Column("company", _("Company"), lambda o: o.company.name if o.company_id else "", ("company__name",),
               _link("crm:company-detail", "company_id")),
        Column("position", _("Position"), lambda o: o.position, ("position",)),
        Column("city", _("City"), lambda o: o.city, ("city",)),
        OWNER, TAGS, CREATED,
    ),
)


def _regarding(obj: Any) -> str:
    for attr, name in (("deal", "title"), ("contact", "full_name"), ("company", "name")):
        if getattr(obj, f"{attr}_id"):
            return str(getattr(getattr(obj, attr), name))
    return ""


def _regarding_url(obj: Any) -> str | None:
    if obj.deal_id:
        return reverse("crm:deal-detail", args=[obj.deal_id])
    if obj.contact_id:
        return reverse("crm:contact-detail", args=[obj.contact_id])
    if obj.company_id:
        return reverse("crm:company-detail", args=[obj.company_id])
    return None


ACTIVITIES = ListSpec(
    entity="activities", title=_("Activities"), custom_entity=CustomEntity.ACTIVITY,
    selector=activity_list, visible=access.visible_activities,
    filter_form=ActivityFilterForm, default_sort="due", related=("owner", "deal", "contact", "company"),
    create_url="crm:activity-create", edit_capability=Capability.CRM_EDIT_DEALS, has_tags=False,
    columns=(
        Column("subject", _("Subject"), lambda o: o.subject, ("subject",)),
        Column("kind", _("Type"), lambda o: o.get_kind_display(), ("kind",)),
        Column("regarding", _("Regarding"), _regarding, None, _regarding_url),
        Column("due", _("Due"), lambda o: o.due_at, ("due_at",)),
        Column("done", _("Done"), lambda o: o.done_at, ("done_at",)),
        OWNER, CREATED,
    ),
)

SPECS: dict[str, ListSpec] = {spec.entity: spec for spec in (DEALS, COMPANIES, CONTACTS, ACTIVITIES)}


def custom_fields_for(actor: Actor, spec: ListSpec) -> list[CustomField]:
    return list(
        CustomField.objects.filter(workspace_id=actor.workspace.pk, entity=spec.custom_entity).order_by("order", "id")
    )


def _custom_value(key: str) -> Callable[[Any], Any]:
    return lambda obj: (obj.custom or {}).get(key, "")


def columns_for(spec: ListSpec, custom_fields: Iterable[CustomField]) -> list[Column]:
    """The list's own columns, then custom fields marked show_in_list (not sortable: JSON values)."""
    return [*spec.columns, *(Column(f"cf_{f.key}", f.label, _custom_value(f.key)) for f in custom_fields
                             if f.show_in_list)]


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def parse_sort(spec: ListSpec, raw: str | None) -> Sort:
    """The requested sort when its column is in the whitelist, else the list's default."""
    sortable = {column.key for column in spec.columns if column.sort}
    for candidate in (raw or "", spec.default_sort):
        key = candidate.removeprefix("-")
        if key in sortable:
            return Sort(key=key, descending=candidate.startswith("-"))
    raise ValueError(f"default sort of {spec.entity} is not sortable")  # pragma: no cover


def order_fields(spec: ListSpec, sort: Sort) -> list[str]:
    column = next(column for column in spec.columns if column.key == sort.key)
    prefix = "-" if sort.descending else ""
    return [f"{prefix}{name}" for name in column.sort or ()] + [f"{prefix}id"]


class CountOncePaginator(Paginator):
    """Counts primary keys without the selector's joins and ordering."""

    @cached_property
    def count(self) -> int:
        queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        return int(queryset.order_by().values("pk").count())


def parse_per_page(raw: str | None) -> int:
    try:
        value = int(raw or PER_PAGE_CHOICES[0])
    except ValueError:
        return PER_PAGE_CHOICES[0]
    return value if value in PER_PAGE_CHOICES else PER_PAGE_CHOICES[0]


def filtered_queryset(actor: Actor, spec: ListSpec, form: ListFilterForm, sort: Sort) -> QuerySet[Any]:
    """The selector's rows for the valid filters, in the whitelisted order, with what the columns read."""
    ordering = order_fields(spec, sort)
    queryset: QuerySet[Any] = spec.selector(actor=actor, ordering=ordering[0], **form.selector_kwargs())
    queryset = queryset.select_related(*spec.related).order_by(*ordering)
    if spec.prefetch:
        queryset = queryset.prefetch_related(*spec.prefetch)
    return queryset


def filter_query(params: QueryDict) -> QueryDict:
    """The query string without paging and tokens: what a saved view keeps and an export names."""
    kept = QueryDict(mutable=True)
    for key in params:
        if key not in NON_FILTER_KEYS:
            values = [value[:500] for value in params.getlist(key)[:20] if value != ""]
            if values:
                kept.setlist(key[:60], values)
    return kept


@dataclass
class ListPage:
    spec: ListSpec
    form: ListFilterForm
    columns: list[Column]
    sort: Sort
    per_page: int
    page: Page[Any]
    rows: list[Row]
    query: QueryDict
    saved_views: list[SavedView] = field(default_factory=list)

    @property
    def total(self) -> int:
        return int(self.page.paginator.count)

    @property
    def is_filtered(self) -> bool:
        return bool(self.form.selector_kwargs())


def make_rows(objects: Iterable[Any], columns: list[Column]) -> list[Row]:
    return [
        Row(pk=obj.pk, obj=obj, cells=[
            Cell(column.value(obj), column.link(obj) if column.link else None, column.numeric) for column in columns
        ])
        for obj in objects
    ]


def build_list(actor: Actor, spec: ListSpec, params: QueryDict) -> ListPage:
    custom_fields = custom_fields_for(actor, spec)
    form = spec.filter_form(params, actor=actor, custom_fields=custom_fields)
    sort = parse_sort(spec, params.get("sort"))
    per_page = parse_per_page(params.get("per_page"))
    paginator = CountOncePaginator(filtered_queryset(actor, spec, form, sort), per_page)
    page = paginator.get_page(params.get("page"))  # not a number → first page, past the end → last
    columns = columns_for(spec, custom_fields)
    return ListPage(
        spec=spec, form=form, columns=columns, sort=sort, per_page=per_page, page=page,
        rows=make_rows(page.object_list, columns), query=filter_query(params),
        saved_views=saved_view_list(actor=actor, entity=spec.entity),
    )


def export_table(actor: Actor, spec: ListSpec, params: QueryDict) -> tuple[list[str], Iterator[list[Any]], int]:
    """Headers, rows and their count for the whole filtered list (capped at EXPORT_MAX_ROWS)."""
    custom_fields = custom_fields_for(actor, spec)
    form = spec.filter_form(params, actor=actor, custom_fields=custom_fields)
    queryset = filtered_queryset(actor, spec, form, parse_sort(spec, params.get("sort")))[:EXPORT_MAX_ROWS]
    columns = columns_for(spec, custom_fields)
    objects = list(queryset)
    rows = ([_plain(cell.value) for cell in row.cells] for row in make_rows(objects, columns))
    return [str(column.label) for column in columns], rows, len(objects)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, str | int | Decimal | dt.date | float):
        return value
    return str(value)


# Saved views: reads here, writes in services/saved_views.py.
def saved_view_list(*, actor: Actor, entity: str) -> list[SavedView]:
    """The actor's own views and those others shared with the workspace."""
    return list(
        SavedView.objects.filter(workspace_id=actor.workspace.pk, entity=entity)
        .filter(Q(user_id=actor.user.pk) | Q(is_shared=True))
        .select_related("user")
        .order_by("name", "id")
    )


# R9 quota on bulk actions and exports.
def quota_used(actor: Actor) -> int:
    since = timezone.now() - QUOTA_WINDOW
    return AuditEntry.objects.filter(actor_id=actor.user.pk, action__in=QUOTA_ACTIONS, created_at__gte=since).count()


def quota_check(actor: Actor) -> None:
    """Refuse with 429 once the user ran QUOTA_LIMIT exports or bulk actions in the window."""
    if quota_used(actor) >= QUOTA_LIMIT:
        raise ThrottledError(
            _("You ran %(limit)d exports or bulk actions in the last %(minutes)d minutes. Wait a little and retry.")
            % {"limit": QUOTA_LIMIT, "minutes": int(QUOTA_WINDOW.total_seconds() // 60)}
        )


def audit_list_action(*, actor: Actor, action: str, diff: dict[str, Any], target: Model | None = None) -> None:
    """One audit row per export or bulk action: the trail and the quota counter (R9, R17)."""
    audit_record(action=action, actor=actor.user, workspace_id=actor.workspace.pk, target=target, diff=diff)
