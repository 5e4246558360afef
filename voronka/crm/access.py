"""The only way from an id in a request to a CRM object (SECURITY.md R1).

Scoped to the actor's workspace and to what the actor may see (core.visibility); anything
else is NotFoundError (404). `_for_update` variants lock the row for the transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from voronka.accounts.actor import Actor
from voronka.core.access import get_or_not_found
from voronka.core.visibility import visible_q

from .models import (
    Activity,
    Company,
    Contact,
    CustomField,
    Deal,
    ImportJob,
    LostReason,
    Pipeline,
    Product,
    SavedView,
    Stage,
)


def visible_companies(actor: Actor) -> QuerySet[Company]:
    return Company.objects.filter(workspace_id=actor.workspace.pk).filter(visible_q(actor.viewer))


def visible_contacts(actor: Actor) -> QuerySet[Contact]:
    return Contact.objects.filter(workspace_id=actor.workspace.pk).filter(visible_q(actor.viewer))


def visible_deals(actor: Actor) -> QuerySet[Deal]:
    return Deal.objects.filter(workspace_id=actor.workspace.pk).filter(visible_q(actor.viewer))


def visible_activities(actor: Actor) -> QuerySet[Activity]:
    return Activity.objects.filter(workspace_id=actor.workspace.pk).filter(visible_q(actor.viewer))


def access_company(*, actor: Actor, company_id: Any) -> Company:
    return get_or_not_found(visible_companies(actor).select_related("owner", "team", "channel"), company_id)


def access_company_for_update(*, actor: Actor, company_id: Any) -> Company:
    return get_or_not_found(visible_companies(actor).select_for_update(of=("self",)), company_id)


def access_contact(*, actor: Actor, contact_id: Any) -> Contact:
    return get_or_not_found(visible_contacts(actor).select_related("owner", "team", "company"), contact_id)


def access_contact_for_update(*, actor: Actor, contact_id: Any) -> Contact:
    return get_or_not_found(visible_contacts(actor).select_for_update(of=("self",)), contact_id)


def access_deal(*, actor: Actor, deal_id: Any) -> Deal:
    return get_or_not_found(
        visible_deals(actor).select_related("owner", "team", "company", "pipeline", "stage", "channel", "lost_reason"),
        deal_id,
    )


def access_deal_for_update(*, actor: Actor, deal_id: Any) -> Deal:
    queryset = visible_deals(actor).select_related("stage", "pipeline").select_for_update(of=("self",))
    return get_or_not_found(queryset, deal_id)


def access_activity(*, actor: Actor, activity_id: Any) -> Activity:
    queryset = visible_activities(actor).select_related("owner", "deal", "contact", "company")
    return get_or_not_found(queryset, activity_id)


def access_activity_for_update(*, actor: Actor, activity_id: Any) -> Activity:
    return get_or_not_found(visible_activities(actor).select_for_update(of=("self",)), activity_id)


# Catalogue objects: every member of the workspace may read them.
def access_product(*, actor: Actor, product_id: Any) -> Product:
    return get_or_not_found(Product.objects.filter(workspace_id=actor.workspace.pk), product_id)


def access_pipeline(*, actor: Actor, pipeline_id: Any) -> Pipeline:
    return get_or_not_found(Pipeline.objects.filter(workspace_id=actor.workspace.pk), pipeline_id)


def access_stage(*, actor: Actor, stage_id: Any) -> Stage:
    return get_or_not_found(Stage.objects.filter(workspace_id=actor.workspace.pk).select_related("pipeline"), stage_id)


def access_lost_reason(*, actor: Actor, lost_reason_id: Any) -> LostReason:
    return get_or_not_found(LostReason.objects.filter(workspace_id=actor.workspace.pk), lost_reason_id)


def access_custom_field(*, actor: Actor, field_id: Any) -> CustomField:
    return get_or_not_found(CustomField.objects.filter(workspace_id=actor.workspace.pk), field_id)


def access_saved_view(*, actor: Actor, view_id: Any) -> SavedView:
    """Own views, and views others shared with the workspace (read only for those)."""
    from django.db.models import Q

    queryset = SavedView.objects.filter(workspace_id=actor.workspace.pk).filter(Q(user=actor.user) | Q(is_shared=True))
    return get_or_not_found(queryset, view_id)


def access_import_job(*, actor: Actor, job_id: Any) -> ImportJob:
    """An import is visible to the user who started it and to admins."""
    queryset = ImportJob.objects.filter(workspace_id=actor.workspace.pk)
    if not actor.is_admin:
        queryset = queryset.filter(user=actor.user)
    return get_or_not_found(queryset, job_id)
