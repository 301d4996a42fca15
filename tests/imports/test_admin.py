"""The imports admin: batches and department records browsable, never editable, IDs masked."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import idcard
from imports.models import (
    Department,
    Diagnosis,
    DisabilityCertificate,
    FeedCategory,
    FeedRecordChange,
    ImportBatch,
    MedicalSettlement,
    NameMismatch,
    RejectedRow,
    RosterEntry,
    UnemploymentRegistration,
)
from imports.resources import DepartmentResource
from tests.factories import make_id_number
from tests.helpers import page_text
from tests.imports.factories import BatchFactory, RejectedRowFactory

pytestmark = pytest.mark.django_db


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:imports_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def records():
    """One record in each feed table, each from its own batch, with a fresh resident ID."""
    made = {}
    ids = {}
    for model, category, extra in (
        (
            MedicalSettlement,
            FeedCategory.MEDICAL_SETTLEMENT,
            {
                "settlement_id": "JS0001",
                "settle_date": date(2026, 10, 3),
                "total_cost": Decimal("5230.10"),
                "self_paid": Decimal("1200.00"),
            },
        ),
        (
            Diagnosis,
            FeedCategory.DIAGNOSIS,
            {"record_id": "BA0001", "diagnosed_on": date(2026, 9, 1), "diagnosis_code": "C34.901"},
        ),
        (
            DisabilityCertificate,
            FeedCategory.DISABILITY_CERTIFICATE,
            {"disability_type": 4, "grade": 2, "issued_on": date(2020, 5, 6)},
        ),
        (
            UnemploymentRegistration,
            FeedCategory.UNEMPLOYMENT_REGISTRATION,
            {"registration_no": "SY0001", "registered_on": date(2026, 8, 1)},
        ),
        (
            RosterEntry,
            FeedCategory.ROSTER,
            {
                "relation": "head",
                "region_code": "130921101201",
                "area_type": "rural",
                "category": "dibao",
                "since": date(2024, 3, 1),
            },
        ),
    ):
        id_number = make_id_number()
        if model is RosterEntry:
            extra = {**extra, "household_id_number": id_number}
        if model is DisabilityCertificate:
            extra = {**extra, "certificate_no": f"{id_number}42"}
        batch = BatchFactory(category=category, loaded=1)
        made[model] = model.objects.create(id_number=id_number, name="赵六", batch=batch, **extra)
        ids[model] = id_number
    return made, ids


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["data_admin", "superuser"])
def test_data_admins_browse_every_imports_admin_list(request, client_for, persona, records):
    client = client_for(request.getfixturevalue(persona))
    RejectedRowFactory()
    for model in (
        ImportBatch,
        Department,
        MedicalSettlement,
        Diagnosis,
        DisabilityCertificate,
        UnemploymentRegistration,
        RosterEntry,
        NameMismatch,
        FeedRecordChange,
    ):
        assert client.get(admin_url(model)).status_code == 200, model
    assert client.get(admin_url(RejectedRow)).status_code == 200


@pytest.mark.parametrize("persona", ["county_supervisor", "city_supervisor"])
def test_others_cannot_reach_department_records_or_rejected_rows(request, client_for, persona, records):
    made, _ = records
    row = RejectedRowFactory()
    client = client_for(request.getfixturevalue(persona))
    for model, obj in [*made.items(), (RejectedRow, row)]:
        assert client.get(admin_url(model)).status_code == 403, model
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 403, model
    assert client.get(admin_url(Department)).status_code == 403


def test_caseworkers_are_sent_away_from_the_admin(client_for, caseworker_a, records):
    made, _ = records
    batch = BatchFactory()
    client = client_for(caseworker_a)
    for model, obj in [*made.items(), (ImportBatch, batch)]:
        for url in (admin_url(model), admin_url(model, "change", obj.pk)):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    export = reverse("admin:imports_department_export")
    assert client.post(export, {"format": "0"}).status_code == 302


# --- batches ------------------------------------------------------------------------------------


def test_batch_list_shows_status_and_counts_and_the_batch_is_read_only(client_for, data_admin):
    batch = BatchFactory(
        file_name="结算_11月.csv", loaded=40, corrected=3, duplicate=2, rejected=5, name_mismatch=1
    )
    client = client_for(data_admin)
    html = client.get(admin_url(ImportBatch)).content.decode()
    assert "结算_11月.csv" in html and "已完成" in html
    for figure in ("50", "40", "3", "2", "5", "1"):
        assert f">{figure}</td>" in html
    assert admin_url(ImportBatch, "add") not in html

    page = client.get(admin_url(ImportBatch, "change", batch.pk)).content.decode()
    assert 'name="_save"' not in page
    assert reverse("imports:batch_detail", args=[batch.pk]) in page
    assert f"{admin_url(RejectedRow)}?batch__id__exact={batch.pk}" in page
    assert reverse("imports:batch_rejects_csv", args=[batch.pk]) in page

    assert client.post(admin_url(ImportBatch, "change", batch.pk), {"status": "failed"}).status_code == 403
    assert client.get(admin_url(ImportBatch, "add")).status_code == 403
    assert client.post(admin_url(ImportBatch, "delete", batch.pk), {"post": "yes"}).status_code == 403
    batch.refresh_from_db()
    assert batch.status == "succeeded"


def test_rejected_rows_admin_masks_ids_in_message_and_original_cells(client_for, data_admin):
    id_number = make_id_number()
    row = RejectedRowFactory(
        message=f"身份证号 {id_number} 不在名册中", raw={"身份证号": id_number, "姓名": "钱七"}
    )
    client = client_for(data_admin)
    for url in (admin_url(RejectedRow), admin_url(RejectedRow, "change", row.pk)):
        html = client.get(url).content.decode()
        assert id_number not in html and idcard.mask(id_number) in html, url
    detail = client.get(admin_url(RejectedRow, "change", row.pk)).content.decode()
    assert "钱七" in detail
    filtered = client.get(admin_url(RejectedRow), {"batch__id__exact": row.batch_id})
    assert filtered.status_code == 200 and list(filtered.context["cl"].result_list) == [row]
    assert client.post(admin_url(RejectedRow, "delete", row.pk), {"post": "yes"}).status_code == 403


def test_rejected_rows_are_filtered_by_reason_without_reading_the_whole_tables_codes(client_for, data_admin):
    required = RejectedRowFactory(reason_code="required")
    RejectedRowFactory(reason_code="date_invalid")
    client = client_for(data_admin)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(admin_url(RejectedRow)).content.decode()
    assert "?reason_code=required" in html and "必填项为空" in html  # every known reason is offered
    assert "?reason_code=certificate_format" in html
    assert not [q for q in queries if "DISTINCT" in q["sql"]]
    filtered = client.get(admin_url(RejectedRow), {"reason_code": "required"})
    assert list(filtered.context["cl"].result_list) == [required]


def test_rejected_rows_show_the_reasons_name_in_the_admin(client_for, data_admin):
    row = RejectedRowFactory(reason_code="date_future")
    client = client_for(data_admin)
    listing = client.get(admin_url(RejectedRow))
    assert "日期晚于导入当天" in page_text(listing) and ">date_future<" not in listing.content.decode()
    assert "原因" in page_text(listing)
    detail = page_text(client.get(admin_url(RejectedRow, "change", row.pk)))
    assert "原因: 日期晚于导入当天" in detail or "原因 日期晚于导入当天" in detail


# --- feed tables --------------------------------------------------------------------------------


FEEDS = [MedicalSettlement, Diagnosis, DisabilityCertificate, UnemploymentRegistration, RosterEntry]


@pytest.mark.parametrize("model", FEEDS)
def test_feed_records_are_listed_and_shown_with_masked_ids_only(client_for, data_admin, records, model):
    made, ids = records
    client = client_for(data_admin)
    for url in (admin_url(model), admin_url(model, "change", made[model].pk)):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert ids[model] not in html, url
        assert idcard.mask(ids[model]) in html, url
        assert "赵六" in html


@pytest.mark.parametrize("model", FEEDS)
def test_feed_records_cannot_be_added_changed_or_deleted(client_for, data_admin, records, model):
    made, _ = records
    obj = made[model]
    client = client_for(data_admin)
    page = client.get(admin_url(model, "change", obj.pk)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "change", obj.pk), {"name": "改名"}).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    changelist = client.post(
        admin_url(model), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert changelist.status_code in (200, 302)
    obj.refresh_from_db()
    assert obj.name == "赵六"


@pytest.mark.parametrize("model", FEEDS)
def test_feed_records_are_found_by_full_id_or_name(client_for, data_admin, records, model):
    made, ids = records
    client = client_for(data_admin)

    def found(term):
        return list(client.get(admin_url(model), {"q": term}).context["cl"].result_list)

    id_number = ids[model]
    assert found(id_number) == [made[model]]
    assert found(f" {id_number.lower()} ") == [made[model]]
    assert found("赵") == [made[model]]
    assert found("孙") == []
    assert found(id_number[:17] + ("0" if id_number[-1] != "0" else "1")) == []  # wrong check digit


@pytest.mark.parametrize("model", FEEDS)
def test_feed_records_are_filtered_by_batch_and_by_date(client_for, data_admin, records, model):
    made, _ = records
    obj = made[model]
    client = client_for(data_admin)

    def listed(params):
        return list(client.get(admin_url(model), params).context["cl"].result_list)

    html = client.get(admin_url(model)).content.decode()
    assert f"?batch={obj.batch_id}" in html  # the batch filter offers the category's batches
    field, day = obj_date(obj)
    assert f"{field}__gte=" in html  # the date filter (today, past 7 days, this month, this year)
    assert listed({"batch": obj.batch_id}) == [obj]
    other = BatchFactory(category=obj.batch.category)
    assert listed({"batch": other.pk}) == []
    # a period around the record's date lists it, the year before does not
    assert listed({f"{field}__gte": day.replace(day=1), f"{field}__lt": day + timedelta(days=1)}) == [obj]
    year_before = {f"{field}__gte": date(day.year - 1, 1, 1), f"{field}__lt": date(day.year, 1, 1)}
    assert listed(year_before) == []


def test_feed_records_list_ignores_a_batch_filter_that_is_not_a_number(client_for, data_admin, records):
    made, _ = records
    response = client_for(data_admin).get(admin_url(MedicalSettlement), {"batch": "abc"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [made[MedicalSettlement]]  # unfiltered


def obj_date(obj) -> tuple[str, date]:
    for field in ("settle_date", "diagnosed_on", "issued_on", "registered_on", "since"):
        if hasattr(obj, field):
            return field, getattr(obj, field)
    raise AssertionError(obj)


def test_disability_certificate_numbers_are_masked_because_they_start_with_the_id(
    client_for, data_admin, records
):
    made, ids = records
    cert = made[DisabilityCertificate]
    client = client_for(data_admin)
    for url in (admin_url(DisabilityCertificate), admin_url(DisabilityCertificate, "change", cert.pk)):
        html = client.get(url).content.decode()
        assert cert.certificate_no not in html
        assert f"{idcard.mask(ids[DisabilityCertificate])}42" in html


# --- departments via django-import-export -------------------------------------------------------


def test_departments_offer_import_and_export_to_data_admins(client_for, data_admin):
    client = client_for(data_admin)
    html = client.get(admin_url(Department)).content.decode()
    assert admin_url(Department, "import") in html and admin_url(Department, "export") in html
    assert client.get(admin_url(Department, "import")).status_code == 200
    assert "医疗保障局" in html


def test_department_resource_exports_and_reimports_by_code():
    exported = DepartmentResource().export()
    assert exported.headers == ["code", "name"]
    assert ("healthcare_security", "医疗保障局") in [tuple(r) for r in exported]

    data = tablib.Dataset(headers=["code", "name"])
    data.append(["healthcare_security", "沧州市医疗保障局"])
    data.append(["statistics", "统计局"])
    before = Department.objects.count()
    result = DepartmentResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Department.objects.get(code="healthcare_security").name == "沧州市医疗保障局"
    assert Department.objects.count() == before + 1


def test_departments_cannot_be_deleted(client_for, data_admin):
    department = Department.objects.get(code="healthcare_security")
    client = client_for(data_admin)
    assert client.post(admin_url(Department, "delete", department.pk), {"post": "yes"}).status_code == 403


def test_roster_entries_mask_the_household_heads_id_too(client_for, data_admin, records):
    made, _ = records
    entry = made[RosterEntry]
    entry.household_id_number = make_id_number()
    entry.save()
    client = client_for(data_admin)
    for url in (admin_url(RosterEntry), admin_url(RosterEntry, "change", entry.pk)):
        html = client.get(url).content.decode()
        assert entry.household_id_number not in html
        assert idcard.mask(entry.household_id_number) in html


def test_name_mismatches_and_corrections_are_browsable_read_only_and_masked(client_for, data_admin):
    batch = BatchFactory(category=FeedCategory.ROSTER, loaded=1, corrected=1, name_mismatch=1)
    id_number, head_id = make_id_number(), make_id_number()
    mismatch = NameMismatch.objects.create(
        batch=batch, row_number=5, id_number=id_number, name_in_file="周八", name_in_registry="周捌"
    )
    change = FeedRecordChange.objects.create(
        batch=batch,
        category=FeedCategory.ROSTER,
        key=id_number,
        before={"household_id_number": head_id, "phone": "1"},
        after={"household_id_number": id_number, "phone": "2"},
    )
    client = client_for(data_admin)
    pages = [
        admin_url(NameMismatch),
        admin_url(NameMismatch, "change", mismatch.pk),
        admin_url(FeedRecordChange),
        admin_url(FeedRecordChange, "change", change.pk),
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert id_number not in html and head_id not in html, url
        assert idcard.mask(id_number) in html, url
    assert "周八" in client.get(pages[0]).content.decode()
    found = client.get(admin_url(NameMismatch), {"q": id_number}).context["cl"].result_list
    assert list(found) == [mismatch]
    found = client.get(admin_url(FeedRecordChange), {"q": id_number}).context["cl"].result_list
    assert list(found) == [change]
    for model, obj in ((NameMismatch, mismatch), (FeedRecordChange, change)):
        assert client.get(admin_url(model, "add")).status_code == 403
        assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    batch_page = client.get(admin_url(ImportBatch, "change", batch.pk)).content.decode()
    assert f"{admin_url(NameMismatch)}?batch__id__exact={batch.pk}" in batch_page
    assert f"{admin_url(FeedRecordChange)}?batch__id__exact={batch.pk}" in batch_page
