"""The company page, create with custom fields, inline edit with a version check, delete, quick add."""

from __future__ import annotations

import pytest
from django.urls import reverse

from voronka.crm.models import Activity, Company, TimelineEntry
from voronka.crm.tests.factories import make_company, make_contact
from voronka.crm.tests.lists_factories import custom_field


def test_page_shows_fields_contacts_and_timeline(org, login_as, django_assert_max_num_queries):
    company = make_company(org.workspace, org.rep, name="Acme <b>", city="Kazan")
    contact = make_contact(org.workspace, org.rep, full_name="Ann", company=company)
    TimelineEntry.unscoped.create(workspace=org.workspace, kind="note", at=company.created_at, company=company,
                                  data={"body": "<script>x</script>"})
    client = login_as(org.rep)
    client.get(reverse("crm:company-detail", args=[company.pk]))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("crm:company-detail", args=[company.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme &lt;b&gt;" in html
    assert "Kazan" in html
    assert reverse("crm:contact-detail", args=[contact.pk]) in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html


def test_invisible_and_foreign_companies_are_404(org, other_org, login_as):
    theirs = make_company(org.workspace, org.rep_south)
    foreign = make_company(other_org.workspace, other_org.rep)
    client = login_as(org.rep)
    for name in ("crm:company-detail", "crm:company-edit"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404


def test_create_with_custom_fields(org, login_as):
    custom_field(org, "company", "segment", kind="choice", choices=["SMB", "Enterprise"])
    custom_field(org, "company", "employees", kind="number")
    response = login_as(org.rep).post(reverse("crm:company-create"), {
        "name": "Ромашка", "domain": "https://www.Romashka.ru/", "cf_segment": "SMB", "cf_employees": "12",
    })
    assert response.status_code == 302
    company = Company.unscoped.get(name="Ромашка")
    assert (company.owner_id, company.domain, company.custom) == (org.rep.pk, "romashka.ru",
                                                                  {"segment": "SMB", "employees": "12"})


def test_custom_field_errors_show_on_the_form(org, login_as):
    custom_field(org, "company", "employees", kind="number", is_required=True)
    response = login_as(org.rep).post(reverse("crm:company-create"), {"name": "X", "cf_employees": "many"})
    assert response.status_code == 400
    assert 'id="id_cf_employees-errors"' in response.content.decode()
    assert not Company.unscoped.exists()


def test_the_form_renders_custom_fields_by_kind(org, login_as):
    custom_field(org, "company", "since", kind="date")
    custom_field(org, "company", "tier", kind="choice", choices=["A", "B"])
    html = login_as(org.rep).get(reverse("crm:company-create")).content.decode()
    assert 'type="date" name="cf_since"' in html
    assert '<select name="cf_tier"' in html


def test_inline_edit_and_conflict(org, login_as):
    company = make_company(org.workspace, org.rep, name="Old")
    client = login_as(org.rep)
    url = reverse("crm:company-edit", args=[company.pk])
    saved = client.post(url, {"name": "New", "version": 1}, headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert "New" in saved.content.decode()
    assert Company.unscoped.get(pk=company.pk).version == 2
    stale = client.post(url, {"name": "Stale", "version": 1}, headers={"HX-Request": "true"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert 'id="conflict"' in html
    assert 'value="New"' in html  # the current values
    assert 'name="version" value="2"' in html
    assert Company.unscoped.get(pk=company.pk).name == "New"


def test_delete_asks_then_deletes(org, login_as):
    company = make_company(org.workspace, org.rep)
    client = login_as(org.manager)
    assert client.get(reverse("crm:company-delete", args=[company.pk])).status_code == 200
    assert Company.unscoped.filter(pk=company.pk).exists()
    assert client.post(reverse("crm:company-delete", args=[company.pk])).status_code == 302
    assert not Company.unscoped.filter(pk=company.pk).exists()


@pytest.mark.parametrize("role", ["rep", "marketer"])
def test_roles_without_delete_cannot(org, login_as, role):
    company = make_company(org.workspace, getattr(org, role))
    assert login_as(getattr(org, role)).post(reverse("crm:company-delete", args=[company.pk])).status_code == 403
    assert Company.unscoped.filter(pk=company.pk).exists()


def test_quick_add_note(org, login_as):
    company = make_company(org.workspace, org.rep)
    response = login_as(org.rep).post(reverse("crm:company-quick-add", args=[company.pk]),
                                      {"kind": "note", "subject": "Called"})
    assert response.status_code == 302
    activity = Activity.unscoped.get()
    assert (activity.company_id, activity.subject, activity.owner_id) == (company.pk, "Called", org.rep.pk)
