"""services.imports: start, confirm, run — matching, duplicates, bad rows, refusals (R9, R14, R22)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import Org
from voronka.core.errors import ApplicationError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.crm.models import Company, Contact, ContactPoint, Deal, ImportJob, StageTransition, Tag
from voronka.crm.services.imports import HOURLY_QUOTA, import_confirm, import_run, import_start
from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline

from .import_factories import csv_bytes, media, run, start, xlsx_bytes

__all__ = ["media"]

CONTACTS = [
    ["ФИО", "Телефон", "E-mail", "Компания", "Должность"],
    ["Иванов Иван", "+7 916 123-45-67", "ivan@example.ru", "Ромашка", "Директор"],
    ["Петрова Ольга", "8 (903) 000-11-22", "olga@example.ru", "Ромашка", ""],
    ["Сидоров Пётр", "", "petr@example.ru", "Лютик", "Инженер"],
]


def _report(job: ImportJob) -> list[dict[str, str]]:
    job.error_report.open("rb")
    text = job.error_report.read().decode("utf-8-sig")
    job.error_report.close()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1251"])
def test_contacts_import_in_each_encoding(encoding: str, org: Org, scoped, media) -> None:
    # Given a Russian contacts file in this encoding
    content = csv_bytes(CONTACTS, delimiter=";", encoding=encoding)
    # When the admin imports it
    job = run(org.actor(org.admin), "contacts", content)
    # Then every contact, company and point is there, owned by the importer
    assert (job.status, job.rows_total, job.rows_created, job.rows_updated, job.rows_rejected) == ("done", 3, 3, 0, 0)
    assert sorted(Contact.objects.values_list("full_name", "email", "phone", "company__name", "owner_id")) == [
        ("Иванов Иван", "ivan@example.ru", "+79161234567", "Ромашка", org.admin.pk),
        ("Петрова Ольга", "olga@example.ru", "+79030001122", "Ромашка", org.admin.pk),
        ("Сидоров Пётр", "petr@example.ru", "", "Лютик", org.admin.pk),
    ]
    assert sorted(Company.objects.values_list("name", "name_key")) == [("Лютик", "лютик"), ("Ромашка", "ромашка")]
    assert ContactPoint.objects.count() == 5
    assert not job.error_report


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_imports(delimiter: str, org: Org, scoped, media) -> None:
    job = run(org.actor(org.admin), "contacts", csv_bytes(CONTACTS, delimiter=delimiter))
    assert (job.delimiter, job.rows_created) == (delimiter, 3)


def test_reimporting_the_same_file_creates_nothing_new(org: Org, scoped, media) -> None:
    # Given a file imported once
    actor = org.actor(org.admin)
    content = csv_bytes(CONTACTS)
    run(actor, "contacts", content)
    before = (Contact.objects.count(), Company.objects.count(), ContactPoint.objects.count())
    # When the same file is imported again
    again = run(actor, "contacts", content)
    # Then every row updated, nothing was created
    assert (again.rows_created, again.rows_updated, again.rows_rejected) == (0, 3, 0)
    assert (Contact.objects.count(), Company.objects.count(), ContactPoint.objects.count()) == before


def test_duplicates_within_the_file_merge_into_one_contact(org: Org, scoped, media) -> None:
    # Given rows about the same person: by email (other case), then by phone
    rows = [["Name", "Email", "Phone", "City"],
            ["Anna Berg", "anna@example.com", "", "Moscow"],
            ["Anna B.", "ANNA@example.com ", "+7 916 111 22 33", ""],
            ["", "", "8 916 111-22-33", "Kazan"]]
    job = run(org.actor(org.admin), "contacts", csv_bytes(rows))
    # Then one contact with both points; later rows' values win where they have one
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (1, 2, 0)
    contact = Contact.objects.get()
    assert (contact.full_name, contact.email, contact.phone, contact.city) == (
        "Anna B.", "anna@example.com", "+79161112233", "Kazan")
    assert sorted(contact.points.values_list("kind", "value", "is_primary")) == [
        ("email", "anna@example.com", True), ("phone", "+79161112233", True)]


def test_rows_matching_the_database_update_instead_of_creating(org: Org, scoped, media) -> None:
    # Given a stored contact with an email, owned by the rep
    existing = make_contact(org.workspace, org.rep, email="ivan@example.ru", full_name="Иван", city="Тверь")
    # When a file names that email (with a new phone and position)
    job = run(org.actor(org.admin), "contacts", csv_bytes(CONTACTS[:2]))
    # Then the contact is updated, keeps its owner and city, and gains the phone
    assert (job.rows_created, job.rows_updated) == (0, 1)
    existing.refresh_from_db()
    assert (existing.full_name, existing.position, existing.city, existing.owner_id, existing.phone) == (
        "Иванов Иван", "Директор", "Тверь", org.rep.pk, "+79161234567")
    assert existing.version == 2
    assert sorted(existing.points.values_list("value", flat=True)) == ["+79161234567", "ivan@example.ru"]


def test_a_match_the_importer_cannot_see_is_rejected_not_changed(org: Org, scoped, media) -> None:
    # Given a contact of the South rep, invisible to the North-less... marketer? no: to a manager of another tree
    hidden = make_contact(org.workspace, org.rep_south, email="ivan@example.ru", full_name="Hidden")
    org_manager = org.actor(org.manager)
    assert org_manager.viewer.can_see(owner_id=org.rep_south.pk, team_id=org.south.pk)  # managers see South
    # When the rep... reps cannot import; use a manager whose team excludes South
    from voronka.accounts.models import Membership

    Membership.objects.filter(user=org.manager).update(team=org.north)
    actor = org.actor(org.manager)
    job = run(actor, "contacts", csv_bytes(CONTACTS[:2]))
    # Then the row is rejected with the reason and the hidden contact is untouched
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (0, 0, 1)
    hidden.refresh_from_db()
    assert (hidden.full_name, hidden.version) == ("Hidden", 1)
    assert "cannot see" in _report(job)[0]["reason"]


def test_ten_percent_bad_rows_import_the_rest_and_report_each(org: Org, scoped, media) -> None:
    # Given 100 rows of which every tenth is bad in a different way
    rows = [["Name", "Email", "Phone", "Age"]]
    bad_lines = {}
    for n in range(100):
        if n % 10 == 3:
            kind = n // 10 % 3
            row = [[f"P{n}", "broken-email", "", ""], [f"P{n}", f"p{n}@example.com", "123", ""],
                   ["", "", "", ""] if False else [f"P{n}", f"p{n}@example.com", "", "abc"]][kind]
            bad_lines[n + 2] = row
        else:
            row = [f"P{n}", f"p{n}@example.com", "", "30"]
        rows.append(row)
    job = run(org.actor(org.admin), "contacts", csv_bytes(rows))
    # Then 90 imported, 10 rejected, and the report has each bad row with its line and reason
    assert (job.rows_total, job.rows_created, job.rows_rejected) == (100, 90, 10)
    assert Contact.objects.count() == 90
    report = _report(job)
    assert [int(row["line"]) for row in report] == sorted(bad_lines)
    assert {row["Name"] for row in report} == {bad[0] for bad in bad_lines.values()}
    reasons = {row["line"]: row["reason"] for row in report}
    assert reasons["5"] == "Not an email address: “broken-email”."
    assert reasons["15"] == "Not a phone number: “123”."
    assert reasons["25"] == "Age has a value that is not one of the choices: “abc”."


def test_report_cells_are_spreadsheet_safe(org: Org, scoped, media) -> None:
    rows = [["Name", "Email"], ["=HYPERLINK(\"http://evil\")", "nope"]]
    job = run(org.actor(org.admin), "contacts", csv_bytes(rows))
    assert _report(job)[0]["Name"] == "'=HYPERLINK(\"http://evil\")"


@pytest.mark.parametrize(
    ("kind", "rows", "message"),
    [
        ("contacts", [["Город", "Должность"], ["Москва", "Директор"]], "map a column to Full name"),
        ("companies", [["Сайт"], ["example.com"]], "map a column to Name"),
        ("deals", [["Сумма"], ["100"]], "map a column to Deal title"),
    ],
)
def test_missing_required_column_is_refused_before_running(kind, rows, message, org: Org, scoped, media) -> None:
    # Given an upload without the required column
    actor = org.actor(org.admin)
    make_pipeline(org.workspace)
    job = start(actor, kind, csv_bytes(rows))
    # When it is confirmed
    with pytest.raises(ApplicationError) as caught:
        import_confirm(actor=actor, job=job, mapping=job.mapping)
    # Then a clear error, and the job still waits
    assert caught.value.code == "import_missing_column"
    assert message in str(caught.value.message)
    job.refresh_from_db()
    assert job.status == "uploaded"


@pytest.mark.parametrize(
    ("content", "name", "code", "status"),
    [(b"", "empty.csv", "import_empty", 422), (b"\x00\x01\x02\x03binary\x00\xff", "x.csv", "import_binary", 422),
     (b"not a zip", "book.xlsx", "import_bad_xlsx", 422)],
)
def test_empty_binary_and_broken_files_get_a_clear_message(content, name, code, status, org: Org, scoped,
                                                            media) -> None:
    with pytest.raises(ApplicationError) as caught:
        start(org.actor(org.admin), "contacts", content, name)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.fields["file"]
    assert ImportJob.objects.count() == 0


def test_oversized_file_is_refused(org: Org, scoped, media, settings) -> None:
    settings.CRM_IMPORT_MAX_BYTES = 1024 * 1024
    content = csv_bytes([["Name"], *[["x" * 100] for _ in range(11_000)]])
    with pytest.raises(ApplicationError) as caught:
        start(org.actor(org.admin), "contacts", content)
    assert (caught.value.code, caught.value.status) == ("import_too_large", 413)
    assert "larger than 1 MB" in str(caught.value.message)
    assert ImportJob.objects.count() == 0


def test_start_stores_the_file_and_what_was_detected(org: Org, scoped, media) -> None:
    content = csv_bytes(CONTACTS, delimiter=";", encoding="cp1251")
    job = start(org.actor(org.marketer), "contacts", content, "клиенты.csv")
    assert (job.status, job.kind, job.encoding, job.delimiter, job.original_name) == (
        "uploaded", "contacts", "cp1251", ";", "клиенты.csv")
    assert job.headers == CONTACTS[0]
    assert job.mapping == {"ФИО": "full_name", "Телефон": "phone", "E-mail": "email", "Компания": "company",
                           "Должность": "position"}
    import hashlib

    assert job.file_sha256 == hashlib.sha256(content).hexdigest()
    with job.file.open("rb") as stored:
        assert stored.read() == content


def test_reps_cannot_import(org: Org, scoped, media) -> None:
    with pytest.raises(PermissionDeniedError):
        start(org.actor(org.rep), "contacts", csv_bytes(CONTACTS))
    assert ImportJob.objects.count() == 0


def test_the_hourly_quota_answers_429(org: Org, scoped, media) -> None:
    actor = org.actor(org.marketer)
    for _ in range(HOURLY_QUOTA):
        start(actor, "contacts", csv_bytes(CONTACTS))
    with pytest.raises(ApplicationError) as caught:
        start(actor, "contacts", csv_bytes(CONTACTS))
    assert (caught.value.status, caught.value.code) == (429, "throttled")
    assert ImportJob.objects.count() == HOURLY_QUOTA
    # An hour later it works again
    ImportJob.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    start(actor, "contacts", csv_bytes(CONTACTS))


def test_confirm_twice_is_refused_and_a_rerun_of_a_done_job_changes_nothing(org: Org, scoped, media) -> None:
    actor = org.actor(org.admin)
    job = run(actor, "contacts", csv_bytes(CONTACTS))
    with pytest.raises(ApplicationError) as caught:
        import_confirm(actor=actor, job=job, mapping=job.mapping)
    assert (caught.value.status, caught.value.code) == (409, "import_not_pending")
    before = list(ImportJob.objects.values_list("status", "rows_created", "rows_updated", "finished_at"))
    import_run(job_id=job.pk)
    assert list(ImportJob.objects.values_list("status", "rows_created", "rows_updated", "finished_at")) == before
    assert Contact.objects.count() == 3


def test_one_audit_row_per_import_with_counts(org: Org, scoped, media) -> None:
    job = run(org.actor(org.admin), "contacts", csv_bytes(CONTACTS))
    entry = AuditEntry.objects.get(action="crm.import")
    assert (entry.actor_id, entry.target_id) == (org.admin.pk, str(job.pk))
    assert entry.diff == {"kind": "contacts", "file": "people.csv", "rows": 3, "created": 3, "updated": 0,
                          "rejected": 0}


def test_owner_column_maps_to_a_member_and_sets_the_team(org: Org, scoped, media) -> None:
    rows = [["Name", "Email", "Ответственный"], ["A", "a@example.com", "rep@acme.test"],
            ["B", "b@example.com", "nobody@elsewhere.test"], ["C", "c@example.com", ""]]
    run(org.actor(org.admin), "contacts", csv_bytes(rows))
    owners = dict(Contact.objects.values_list("full_name", "owner_id"))
    teams = dict(Contact.objects.values_list("full_name", "team_id"))
    assert owners == {"A": org.rep.pk, "B": org.admin.pk, "C": org.admin.pk}
    assert teams == {"A": org.north.pk, "B": None, "C": None}


def test_without_the_assign_capability_the_owner_column_is_ignored(org: Org, scoped, media) -> None:
    rows = [["Name", "Email", "Owner"], ["A", "a@example.com", "rep@acme.test"]]
    run(org.actor(org.marketer), "contacts", csv_bytes(rows))
    assert Contact.objects.get().owner_id == org.marketer.pk


def test_user_mapping_overrides_the_guess(org: Org, scoped, media) -> None:
    rows = [["Col A", "Col B"], ["Anna", "anna@example.com"]]
    job = run(org.actor(org.admin), "contacts", csv_bytes(rows), mapping={"Col A": "full_name", "Col B": "email"})
    assert job.rows_created == 1
    assert Contact.objects.get().email == "anna@example.com"


def test_bad_mapping_is_refused(org: Org, scoped, media) -> None:
    actor = org.actor(org.admin)
    job = start(actor, "contacts", csv_bytes(CONTACTS))
    for mapping in ({"Nope": "email"}, {"ФИО": "password"}, {"ФИО": "full_name", "Должность": "full_name"}):
        with pytest.raises(ApplicationError) as caught:
            import_confirm(actor=actor, job=job, mapping=mapping)
        assert caught.value.code == "import_bad_mapping"


def test_companies_match_by_domain_then_name(org: Org, scoped, media) -> None:
    by_domain = make_company(org.workspace, org.admin, name="Old name", domain="romashka.ru")
    by_name = make_company(org.workspace, org.admin, name="Лютик")
    rows = [["Название", "Сайт", "Отрасль", "Число сотрудников", "Выручка", "ИНН"],
            ["Ромашка", "https://www.Romashka.ru/about", "Retail", "120", "1 500 000,50", "7701234567"],
            ["лютик", "", "Food", "", "", ""],
            ["Василёк", "vasilek.ru", "", "1000+", "", ""]]
    job = run(org.actor(org.admin), "companies", csv_bytes(rows, delimiter=";"))
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (1, 2, 0)
    by_domain.refresh_from_db()
    assert (by_domain.name, by_domain.industry, by_domain.size_band, by_domain.annual_revenue) == (
        "Ромашка", "Retail", "50-249", Decimal("1500000.50"))
    by_name.refresh_from_db()
    assert by_name.industry == "Food"
    assert Company.objects.get(domain="vasilek.ru").size_band == "1000+"


def test_deals_import_with_stage_amount_date_company_and_contact(org: Org, scoped, media) -> None:
    pipeline = make_pipeline(org.workspace)
    contact = make_contact(org.workspace, org.admin, email="ivan@example.ru")
    rows = [["Название сделки", "Бюджет", "Компания", "Этап", "Дата закрытия", "Email", "Теги"],
            ["Поставка", "1 234,50", "Ромашка", "Proposal", "31.12.2025", "ivan@example.ru", "vip, опт"],
            ["Сервис", "10", "", "", "2025-01-15", "", ""],
            ["Выиграна", "5", "", "Won", "", "", ""],
            ["Плохая", "5", "", "Нет такого", "", "", ""]]
    job = run(org.actor(org.admin), "deals", csv_bytes(rows, delimiter=";"))
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (3, 0, 1)
    deal = Deal.objects.get(title="Поставка")
    assert (deal.amount, deal.company.name, deal.stage.name, deal.expected_close_date, deal.pipeline_id) == (
        Decimal("1234.50"), "Ромашка", "Proposal", dt.date(2025, 12, 31), pipeline.pk)
    assert list(deal.contacts.all()) == [contact]
    assert sorted(deal.tags.values_list("name", flat=True)) == ["vip", "опт"]
    assert Deal.objects.get(title="Сервис").stage.name == "Lead"
    won = Deal.objects.get(title="Выиграна")
    assert (won.status, won.closed_at is not None) == ("won", True)
    assert StageTransition.objects.count() == 3
    assert "no stage named “Нет такого”" in _report(job)[0]["reason"]
    # Re-import: matched by (title, company), amounts updated, nothing new
    again = run(org.actor(org.admin), "deals", csv_bytes(rows, delimiter=";"))
    assert (again.rows_created, again.rows_updated) == (0, 3)
    assert Deal.objects.count() == 3
    assert Tag.objects.count() == 2


def test_deals_match_by_external_id(org: Org, scoped, media) -> None:
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, org.admin, title="Renamed elsewhere", custom={"external_id": "D-1"})
    rows = [["ID", "Deal - Title", "Deal - Value"], ["D-1", "New title", "700"], ["D-2", "Other", "1"]]
    job = run(org.actor(org.admin), "deals", csv_bytes(rows))
    assert (job.rows_created, job.rows_updated) == (1, 1)
    assert Deal.objects.get(custom__external_id="D-1").amount == Decimal("700")


def test_deals_need_a_pipeline(org: Org, scoped, media) -> None:
    actor = org.actor(org.admin)
    job = start(actor, "deals", csv_bytes([["Title"], ["A"]]))
    with pytest.raises(ApplicationError) as caught:
        import_confirm(actor=actor, job=job, mapping=job.mapping)
    assert caught.value.code == "import_no_pipeline"


def test_xlsx_import(org: Org, scoped, media) -> None:
    content = xlsx_bytes([["ФИО", "Телефон", "Email"], ["Иванов Иван", 79161234567, "ivan@example.ru"],
                          [None, None, None], ["Петрова Ольга", "+7 903 000-11-22", None]])
    job = run(org.actor(org.admin), "contacts", content, "people.xlsx")
    assert (job.status, job.rows_total, job.rows_created) == ("done", 2, 2)
    assert sorted(Contact.objects.values_list("phone", flat=True)) == ["+79030001122", "+79161234567"]


def test_a_stray_byte_after_the_sample_rejects_only_its_row(org: Org, scoped, media, monkeypatch) -> None:
    # Given a UTF-8 file longer than the detection sample with one broken byte near the end
    monkeypatch.setattr("voronka.crm.services.imports.running.CHUNK_ROWS", 1000)
    good = "".join(f"Person {n},p{n}@example.com\n" for n in range(3000))
    content = ("Name,Email\n" + good).encode() + b"Broken \xff,x@example.com\n" + b"Last,last@example.com\n"
    assert len(content) > 64 * 1024
    # When it is imported
    job = run(org.actor(org.admin), "contacts", content)
    # Then that row alone is rejected
    assert (job.status, job.encoding, job.rows_created, job.rows_rejected) == ("done", "utf-8", 3001, 1)
    assert _report(job)[0]["line"] == "3002"
    assert _report(job)[0]["reason"] == "The row has characters that are not valid in the file's encoding."


def test_upload_name_is_kept_and_not_used_on_disk(org: Org, scoped, media) -> None:
    upload = SimpleUploadedFile("../../etc/passwd.csv", csv_bytes(CONTACTS))
    job = import_start(actor=org.actor(org.admin), kind="contacts", uploaded_file=upload)
    assert job.original_name == "passwd.csv"  # Django keeps only the base name
    assert ".." not in job.file.name and job.file.name.startswith("imports/")
