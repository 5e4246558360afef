"""The contact page, create with emails and phones, inline edit with a version check, delete."""

from __future__ import annotations

from django.urls import reverse

from voronka.crm.models import Contact, ContactPoint
from voronka.crm.tests.factories import make_company, make_contact


def test_page_shows_the_contact(org, login_as, django_assert_max_num_queries):
    company = make_company(org.workspace, org.rep, name="Acme")
    contact = make_contact(org.workspace, org.rep, full_name="<script>Ann</script>", email="ann@acme.test",
                           company=company)
    client = login_as(org.rep)
    client.get(reverse("crm:contact-detail", args=[contact.pk]))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("crm:contact-detail", args=[contact.pk]))
    html = response.content.decode()
    assert "ann@acme.test" in html
    assert "&lt;script&gt;Ann&lt;/script&gt;" in html
    assert reverse("crm:company-detail", args=[company.pk]) in html


def test_create_with_emails_and_phones(org, login_as):
    response = login_as(org.rep).post(reverse("crm:contact-create"), {
        "full_name": "Ирина", "emails": "Irina@Example.com\nirina2@example.com", "phones": "8 916 123-45-67",
    })
    assert response.status_code == 302
    contact = Contact.unscoped.get(full_name="Ирина")
    assert contact.email == "irina@example.com"
    assert sorted(ContactPoint.unscoped.filter(contact=contact).values_list("value", flat=True)) == [
        "+79161234567", "irina2@example.com", "irina@example.com"]


def test_duplicate_email_is_a_form_error(org, login_as):
    make_contact(org.workspace, org.admin, email="taken@example.com")
    response = login_as(org.rep).post(reverse("crm:contact-create"), {"full_name": "B", "emails": "taken@example.com"})
    assert response.status_code in (400, 409, 422)
    assert Contact.unscoped.count() == 1


def test_inline_edit_conflict(org, login_as):
    contact = make_contact(org.workspace, org.rep, full_name="Old")
    client = login_as(org.rep)
    url = reverse("crm:contact-edit", args=[contact.pk])
    assert client.post(url, {"full_name": "New", "version": 1}).status_code == 302
    stale = client.post(url, {"full_name": "Stale", "version": 1})
    assert stale.status_code == 409
    assert 'value="New"' in stale.content.decode()
    assert Contact.unscoped.get(pk=contact.pk).full_name == "New"


def test_invisible_and_foreign_contacts_are_404(org, other_org, login_as):
    theirs = make_contact(org.workspace, org.rep_south)
    foreign = make_contact(other_org.workspace, other_org.rep)
    client = login_as(org.rep)
    for contact in (theirs, foreign):
        assert client.get(reverse("crm:contact-detail", args=[contact.pk])).status_code == 404
        assert client.post(reverse("crm:contact-edit", args=[contact.pk]), {"full_name": "x"}).status_code == 404
    assert Contact.unscoped.get(pk=theirs.pk).full_name == theirs.full_name


def test_delete(org, login_as):
    contact = make_contact(org.workspace, org.rep)
    assert login_as(org.manager).post(reverse("crm:contact-delete", args=[contact.pk])).status_code == 302
    assert not Contact.unscoped.filter(pk=contact.pk).exists()
