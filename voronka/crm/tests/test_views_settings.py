"""CRM settings pages: pipelines and stages (create, rename, reorder, required fields, delete),
lost reasons, products, custom fields. Admins only (CRM_CONFIGURE)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from voronka.crm.models import CustomField, LostReason, Pipeline, Product, Stage
from voronka.crm.tests.factories import make_deal, make_pipeline


def stage_names(pipeline):
    return list(Stage.unscoped.filter(pipeline=pipeline).order_by("order", "id").values_list("name", flat=True))


def test_page_lists_pipelines_and_stages(org, login_as, django_assert_max_num_queries):
    make_pipeline(org.workspace, name="B2B")
    client = login_as(org.admin)
    client.get(reverse("crm:settings"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("crm:settings"))
    html = response.content.decode()
    assert "B2B" in html
    assert "Negotiation" in html


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_admins(org, login_as, role):
    pipeline = make_pipeline(org.workspace)
    client = login_as(getattr(org, role))
    assert client.get(reverse("crm:settings")).status_code == 403
    assert client.post(reverse("crm:settings-pipeline-create"), {"name": "X"}).status_code == 403
    assert client.post(reverse("crm:settings-pipeline-edit", args=[pipeline.pk]), {"name": "X"}).status_code == 403
    assert list(Pipeline.unscoped.values_list("name", flat=True)) == ["Sales"]


def test_create_rename_delete_pipeline(org, login_as):
    client = login_as(org.admin)
    assert client.post(reverse("crm:settings-pipeline-create"), {"name": "Retail"}).status_code == 302
    pipeline = Pipeline.unscoped.get(name="Retail")
    assert len(stage_names(pipeline)) == 6
    assert client.post(reverse("crm:settings-pipeline-edit", args=[pipeline.pk]), {"name": "Shops"}).status_code == 302
    assert Pipeline.unscoped.get(pk=pipeline.pk).name == "Shops"
    assert client.get(reverse("crm:settings-pipeline-delete", args=[pipeline.pk])).status_code == 200
    assert client.post(reverse("crm:settings-pipeline-delete", args=[pipeline.pk])).status_code == 302
    assert not Pipeline.unscoped.filter(pk=pipeline.pk).exists()


def test_pipeline_with_deals_is_not_deleted(org, login_as):
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, org.rep)
    response = login_as(org.admin).post(reverse("crm:settings-pipeline-delete", args=[pipeline.pk]))
    assert response.status_code == 400
    assert Pipeline.unscoped.filter(pk=pipeline.pk).exists()


def test_duplicate_pipeline_name_is_a_form_error(org, login_as):
    make_pipeline(org.workspace)
    response = login_as(org.admin).post(reverse("crm:settings-pipeline-create"), {"name": "Sales"})
    assert response.status_code == 400
    assert Pipeline.unscoped.count() == 1


def test_stage_add_edit_reorder_delete(org, login_as):
    pipeline = make_pipeline(org.workspace)
    client = login_as(org.admin)
    response = client.post(reverse("crm:settings-stage-create", args=[pipeline.pk]), {
        "name": "Demo", "probability": 40, "kind": "open", "stalled_after_days": 7,
        "required_fields": ["amount", "expected_close_date"],
    })
    assert response.status_code == 302
    demo = Stage.unscoped.get(pipeline=pipeline, name="Demo")
    assert (demo.probability, demo.stalled_after_days, demo.required_fields) == (40, 7, ["amount",
                                                                                       "expected_close_date"])
    client.post(reverse("crm:settings-stage-move", args=[demo.pk]), {"direction": "up"})
    assert stage_names(pipeline)[-2:] == ["Demo", "Lost"]
    edit = client.post(reverse("crm:settings-stage-edit", args=[demo.pk]),
                       {"name": "Demo call", "probability": 45, "kind": "open"})
    assert edit.status_code == 302
    assert Stage.unscoped.get(pk=demo.pk).name == "Demo call"
    assert client.post(reverse("crm:settings-stage-delete", args=[demo.pk])).status_code == 302
    assert not Stage.unscoped.filter(pk=demo.pk).exists()


def test_bad_stage_input_is_a_form_error(org, login_as):
    pipeline = make_pipeline(org.workspace)
    response = login_as(org.admin).post(reverse("crm:settings-stage-create", args=[pipeline.pk]),
                                        {"name": "", "probability": 300, "kind": "open"})
    assert response.status_code == 400
    assert len(stage_names(pipeline)) == 6


def test_lost_reasons(org, login_as):
    client = login_as(org.admin)
    assert client.post(reverse("crm:settings-lost-reasons"), {"name": "Price"}).status_code == 302
    reason = LostReason.unscoped.get(name="Price")
    assert client.post(reverse("crm:settings-lost-reason-edit", args=[reason.pk]),
                       {"name": "Too expensive"}).status_code == 302
    reason.refresh_from_db()
    assert (reason.name, reason.is_active) == ("Too expensive", False)


def test_products(org, login_as):
    client = login_as(org.admin)
    assert client.post(reverse("crm:settings-product-create"), {
        "sku": "W-1", "name": "Widget", "price": "10.50", "unit_cost": "4", "is_active": "on"}).status_code == 302
    product = Product.unscoped.get(sku="W-1")
    assert client.post(reverse("crm:settings-product-edit", args=[product.pk]), {
        "sku": "W-1", "name": "Widget 2", "price": "11", "unit_cost": "4", "is_active": "on"}).status_code == 302
    assert "Widget 2" in client.get(reverse("crm:settings-products")).content.decode()


def test_custom_fields(org, login_as):
    client = login_as(org.admin)
    response = client.post(reverse("crm:settings-custom-fields"), {
        "entity": "deal", "label": "Segment", "key": "segment", "kind": "choice", "choices": "SMB\nEnterprise",
        "show_in_list": "on", "order": 0})
    assert response.status_code == 302
    field = CustomField.unscoped.get(key="segment")
    assert field.choices == ["SMB", "Enterprise"]
    assert client.post(reverse("crm:settings-custom-field-edit", args=[field.pk]), {
        "label": "Market", "choices": "SMB", "order": 1}).status_code == 302
    field.refresh_from_db()
    assert (field.label, field.choices, field.show_in_list) == ("Market", ["SMB"], False)
    assert client.post(reverse("crm:settings-custom-field-delete", args=[field.pk])).status_code == 302
    assert not CustomField.unscoped.exists()


def test_bad_custom_field_key_is_a_form_error(org, login_as):
    response = login_as(org.admin).post(reverse("crm:settings-custom-fields"), {
        "entity": "deal", "label": "X", "key": "Bad Key!", "kind": "text", "order": 0})
    assert response.status_code == 400
    assert not CustomField.unscoped.exists()
