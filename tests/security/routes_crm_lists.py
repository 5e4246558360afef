"""crm lists, company and contact pages, CRM settings in the route matrix."""

from __future__ import annotations

from conftest import Org
from voronka.crm.models import CustomField, LostReason, Pipeline, Product, SavedView, Stage
from voronka.crm.tests.factories import make_company, make_contact, make_pipeline

from .page_route import PageRoute

ADMIN_ONLY = frozenset({"admin"})
# POST-only routes: the denied-role check snapshots the database before building the URL, so their
# kwargs name ids that exist nowhere (the capability check refuses first); `foreign` names real rows.
NOWHERE = 999_999
EDITORS = frozenset({"admin", "manager", "rep", "marketer"})  # CRM_EDIT_CONTACTS: everyone
DELETERS = frozenset({"admin", "manager"})


def _company(org: Org) -> int:
    return make_company(org.workspace, org.rep, name="Matrix company").pk


def _contact(org: Org) -> int:
    return make_contact(org.workspace, org.rep, full_name="Matrix contact").pk


def _pipeline(org: Org) -> Pipeline:
    return Pipeline.unscoped.filter(workspace=org.workspace, name="Matrix").first() or make_pipeline(
        org.workspace, name="Matrix")


def _stage(org: Org) -> int:
    return Stage.unscoped.filter(pipeline=_pipeline(org), name="Qualified").get().pk


def _lost_reason(org: Org) -> int:
    return LostReason.unscoped.get_or_create(workspace=org.workspace, name="Price")[0].pk


def _product(org: Org) -> int:
    return Product.unscoped.get_or_create(workspace=org.workspace, sku="M-1", defaults={"name": "Widget"})[0].pk


def _field(org: Org) -> int:
    return CustomField.unscoped.get_or_create(workspace=org.workspace, entity="deal", key="matrix",
                                             defaults={"label": "Matrix"})[0].pk


def _view(org: Org) -> int:
    return SavedView.unscoped.create(workspace=org.workspace, user=org.admin, entity="deals", name="Matrix").pk


PAGES: dict[str, PageRoute] = {
    "crm:deal-list": PageRoute(),
    "crm:company-list": PageRoute(),
    "crm:contact-list": PageRoute(),
    "crm:activity-list": PageRoute(),
    # CRM_EDIT_DEALS; ?deal= / ?contact= / ?company= of another workspace are 404 in test_views_activities.py
    "crm:activity-create": PageRoute(get_roles=frozenset({"admin", "manager", "rep"})),
    "crm:list-export": PageRoute(post_only=True, kwargs=lambda org: {"entity": "deals"}),
    "crm:list-bulk": PageRoute(post_only=True, kwargs=lambda org: {"entity": "deals"}),
    "crm:saved-view-create": PageRoute(post_only=True, kwargs=lambda org: {"entity": "deals"}),
    "crm:saved-view-delete": PageRoute(
        post_only=True, get_roles=ADMIN_ONLY, kwargs=lambda org: {"view_id": NOWHERE},
        foreign=lambda org: {"view_id": _view(org)},
    ),
    "crm:company-create": PageRoute(get_roles=EDITORS),
    "crm:company-detail": PageRoute(
        get_roles=frozenset({"admin", "manager", "rep", "marketer"}), kwargs=lambda org: {"company_id": _company(org)},
        foreign=lambda org: {"company_id": _company(org)},
    ),
    "crm:company-edit": PageRoute(
        get_roles=EDITORS, kwargs=lambda org: {"company_id": _company(org)},
        foreign=lambda org: {"company_id": _company(org)},
    ),
    "crm:company-delete": PageRoute(
        get_roles=DELETERS, kwargs=lambda org: {"company_id": _company(org)},
        foreign=lambda org: {"company_id": _company(org)},
    ),
    "crm:company-quick-add": PageRoute(
        post_only=True, get_roles=frozenset({"admin", "manager", "rep"}),
        kwargs=lambda org: {"company_id": NOWHERE}, foreign=lambda org: {"company_id": _company(org)},
    ),
    "crm:contact-create": PageRoute(get_roles=EDITORS),
    "crm:contact-detail": PageRoute(
        kwargs=lambda org: {"contact_id": _contact(org)}, foreign=lambda org: {"contact_id": _contact(org)},
    ),
    "crm:contact-edit": PageRoute(
        get_roles=EDITORS, kwargs=lambda org: {"contact_id": _contact(org)},
        foreign=lambda org: {"contact_id": _contact(org)},
    ),
    "crm:contact-delete": PageRoute(
        get_roles=DELETERS, kwargs=lambda org: {"contact_id": _contact(org)},
        foreign=lambda org: {"contact_id": _contact(org)},
    ),
    "crm:contact-quick-add": PageRoute(
        post_only=True, get_roles=frozenset({"admin", "manager", "rep"}),
        kwargs=lambda org: {"contact_id": NOWHERE}, foreign=lambda org: {"contact_id": _contact(org)},
    ),
    "crm:settings": PageRoute(get_roles=ADMIN_ONLY),
    "crm:settings-pipeline-create": PageRoute(get_roles=ADMIN_ONLY, post_only=True),
    "crm:settings-pipeline-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"pipeline_id": _pipeline(org).pk},
        foreign=lambda org: {"pipeline_id": _pipeline(org).pk},
    ),
    "crm:settings-pipeline-delete": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"pipeline_id": _pipeline(org).pk},
        foreign=lambda org: {"pipeline_id": _pipeline(org).pk},
    ),
    "crm:settings-stage-create": PageRoute(
        get_roles=ADMIN_ONLY, post_only=True, kwargs=lambda org: {"pipeline_id": NOWHERE},
        foreign=lambda org: {"pipeline_id": _pipeline(org).pk},
    ),
    "crm:settings-stage-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"stage_id": _stage(org)},
        foreign=lambda org: {"stage_id": _stage(org)},
    ),
    "crm:settings-stage-move": PageRoute(
        get_roles=ADMIN_ONLY, post_only=True, kwargs=lambda org: {"stage_id": NOWHERE},
        foreign=lambda org: {"stage_id": _stage(org)},
    ),
    "crm:settings-stage-delete": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"stage_id": _stage(org)},
        foreign=lambda org: {"stage_id": _stage(org)},
    ),
    "crm:settings-lost-reasons": PageRoute(get_roles=ADMIN_ONLY),
    "crm:settings-lost-reason-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"lost_reason_id": _lost_reason(org)},
        foreign=lambda org: {"lost_reason_id": _lost_reason(org)},
    ),
    "crm:settings-products": PageRoute(get_roles=ADMIN_ONLY),
    "crm:settings-product-create": PageRoute(get_roles=ADMIN_ONLY),
    "crm:settings-product-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"product_id": _product(org)},
        foreign=lambda org: {"product_id": _product(org)},
    ),
    "crm:settings-custom-fields": PageRoute(get_roles=ADMIN_ONLY),
    "crm:settings-custom-field-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"field_id": _field(org)},
        foreign=lambda org: {"field_id": _field(org)},
    ),
    "crm:settings-custom-field-delete": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"field_id": _field(org)},
        foreign=lambda org: {"field_id": _field(org)},
    ),
}
