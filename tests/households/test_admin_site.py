"""The admin site as staff see it: Chinese column headings, the site's icon."""

import re

from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory, region

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ALLOWED = {"ID"}


def test_every_admin_list_column_has_a_chinese_heading(db):
    # A field without a verbose name would show its English attribute name, upper-cased.
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    missing = []
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            for name in model_admin.get_list_display(request):
                label = str(label_for_field(name, model, model_admin))
                if label not in ALLOWED and not CHINESE.search(label):
                    missing.append(f"{model._meta.label}.{name}: {label}")
    assert missing == []


def test_admin_pages_carry_the_site_icon_served_by_the_app(client_for, db):
    user = UserFactory(is_superuser=True, is_staff=True)
    html = client_for(user).get(reverse("admin:index")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert "救助监测" in html  # still the site's own admin header


# --- every admin page of every registered model, as a superuser sees it with a row of each ---

# Field labels, fieldset titles, column headings (`column-…`; row cells are `field-…`: data), filters.
LABEL_TAGS = re.compile(
    r"<(label|legend|h2)\b[^>]*>(.*?)</\1>"
    r"|<th\b[^>]*class=\"[^\"]*\bcolumn-[^\"]*\"[^>]*>(.*?)</th>"
    r"|data-filter-title=\"([^\"]*)\""
    r"|<tr><th>(.*?)</th><td>",  # a record's fields as a two-column table (imports admin)
    re.S,
)
TAGS = re.compile(r"<[^>]+>")
ENGLISH = re.compile(r"[A-Za-z]{2,}")
LABELS_ALLOWED = {"ID", "SHA-256", "#"}


def admin_rows() -> dict:
    """{model: one saved row}: a row of every model the admin registers."""
    from datetime import date, timedelta
    from decimal import Decimal

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from alerts.models import (
        Alert,
        AlertEvent,
        HomeVisit,
        MonitoringRun,
        Responsibility,
        RuleVersion,
    )
    from alerts.services.rules import ensure_default_rule_versions
    from assistance.models import ApprovalStep, Program, Standard
    from households.models import CalendarDay, Household, Person, Region, Role, User
    from households.readlog.models import ReadLogEntry
    from imports.models import (
        Department,
        Diagnosis,
        DisabilityCertificate,
        FeedRecordChange,
        ImportBatch,
        MedicalSettlement,
        NameMismatch,
        PaymentReturn,
        RejectedRow,
        RosterEntry,
        UnemploymentRegistration,
    )
    from tests.alerts.triage_factories import alert_in, visit_for
    from tests.conftest import VILLAGE_A
    from tests.factories import make_id_number
    from tests.imports.factories import BatchFactory, RejectedRowFactory

    caseworker = UserFactory(username="cw_admin_pages", role=Role.CASEWORKER, scope=region(VILLAGE_A[:9]))
    alert = alert_in(VILLAGE_A, name="钱七")
    batch = BatchFactory(loaded=5, rejected=1, corrected=1, name_mismatch=1)
    person_id = make_id_number()
    feed = {"id_number": person_id, "name": "钱七", "batch": batch}
    ensure_default_rule_versions()
    signin = {
        "username": "cw_admin_pages",
        "ip_address": "10.0.0.8",
        "user_agent": "Chrome",
        "http_accept": "*/*",
    }
    return {
        AccessAttempt: AccessAttempt.objects.create(
            **signin, path_info="/login/", get_data="", post_data="", failures_since_start=2
        ),
        AccessFailureLog: AccessFailureLog.objects.create(**signin, path_info="/login/"),
        AccessLog: AccessLog.objects.create(**signin, path_info="/login/"),
        Region: region(VILLAGE_A),
        User: caseworker,
        Household: alert.household,
        Person: alert.person,
        Department: Department.objects.first(),
        ImportBatch: batch,
        RejectedRow: RejectedRowFactory(batch=batch, raw={"结算流水号": "JS1", "身份证号": person_id}),
        MedicalSettlement: MedicalSettlement.objects.create(
            settlement_id="JS0001",
            settle_date=date(2026, 10, 3),
            total_cost=Decimal("5230.10"),
            self_paid=Decimal("1200.00"),
            **feed,
        ),
        Diagnosis: Diagnosis.objects.create(
            record_id="BA0001", diagnosed_on=date(2026, 9, 1), diagnosis_code="C34.901", **feed
        ),
        DisabilityCertificate: DisabilityCertificate.objects.create(
            certificate_no=f"{person_id}42", disability_type=4, grade=2, issued_on=date(2020, 5, 6), **feed
        ),
        UnemploymentRegistration: UnemploymentRegistration.objects.create(
            registration_no="SY0001", registered_on=date(2026, 8, 1), **feed
        ),
        RosterEntry: RosterEntry.objects.create(
            household_id_number=person_id,
            relation="head",
            region_code=VILLAGE_A,
            area_type="rural",
            category="dibao",
            since=date(2024, 3, 1),
            **feed,
        ),
        PaymentReturn: PaymentReturn.objects.create(
            line_no="1001",
            account_no="6217000012345678",
            amount=Decimal("600.00"),
            result="failed",
            reason="账户已销户",
            processed_on=date(2026, 11, 20),
            **feed,
        ),
        CalendarDay: CalendarDay.objects.create(date=date(2030, 2, 4), kind="holiday", name="春节"),
        FeedRecordChange: FeedRecordChange.objects.create(
            batch=batch, category="roster", key=person_id, before={"name": "钱六"}, after={"name": "钱七"}
        ),
        NameMismatch: NameMismatch.objects.create(
            batch=batch, row_number=3, id_number=person_id, name_in_file="钱七", name_in_registry="钱其"
        ),
        RuleVersion: RuleVersion.objects.get(rule="serious_disease", version=1),
        MonitoringRun: MonitoringRun.objects.create(
            as_of=date(2026, 11, 20), status="succeeded", finished_at=alert.created_at, duration_ms=1200
        ),
        Alert: alert,
        AlertEvent: AlertEvent.objects.create(
            alert=alert, action="raised", to_status="new", note="监测运行产生预警"
        ),
        HomeVisit: visit_for(alert, caseworker, visited_on=alert.raised_on + timedelta(days=1)),
        Program: Program.objects.get(code="urban_dibao"),
        ApprovalStep: ApprovalStep.objects.get(program__code="urban_dibao", order=1),
        Standard: Standard.objects.filter(program__code="urban_dibao").earliest("effective_from"),
        Responsibility: Responsibility.objects.create(region=region(VILLAGE_A), caseworker=caseworker),
        ReadLogEntry: ReadLogEntry.objects.create(
            at=alert.created_at,
            user=caseworker,
            actor=caseworker.username,
            role=caseworker.role,
            channel="web",
            actions=["household_view"],
            household_ids=[alert.household_id],
        ),
    }


def english_labels(html: str) -> list[str]:
    """Labels, column headings, fieldset and filter titles of an admin page that have no Chinese."""
    found = []
    for match in LABEL_TAGS.finditer(html):
        raw = next((g for g in match.groups()[1:] if g), "")
        # (a sortable column's heading also holds its sort priority, a number)
        text = " ".join(t for t in TAGS.sub(" ", raw).split() if not t.isdigit()).rstrip(":：").strip()
        if text and text not in LABELS_ALLOWED and ENGLISH.search(text) and not CHINESE.search(text):
            found.append(text)
    return found


def test_every_admin_page_of_every_model_names_things_in_chinese(client_for, db, cangzhou):
    rows = admin_rows()
    missing = [m._meta.label for m in admin.site._registry if m not in rows]
    assert missing == [], "add a row of these models to admin_rows()"
    superuser = UserFactory(username="root_admin_pages", is_superuser=True, is_staff=True)
    client = client_for(superuser)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    problems = []
    with translation.override("zh-hans"):
        for model, obj in rows.items():
            model_admin = admin.site._registry[model]
            info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            pages = [
                (reverse(f"{info}_changelist"), 200),
                (reverse(f"{info}_change", args=[obj.pk]), 200),
                (reverse(f"{info}_history", args=[obj.pk]), 200),
                (
                    reverse(f"{info}_delete", args=[obj.pk]),
                    200 if model_admin.has_delete_permission(request, obj) else 403,
                ),
            ]
            for url, status in pages:
                response = client.get(url)
                html = response.content.decode()
                if response.status_code != status:
                    problems.append(f"{url}: {response.status_code}, expected {status}")
                    continue
                if "object (" in html:
                    problems.append(f"{url}: an object without a name (“… object (n)”)")
                problems += [f"{url}: English label “{label}”" for label in english_labels(html)]
            if "object (" in str(obj) or not CHINESE.search(str(obj)):
                problems.append(f"{model._meta.label}: named “{obj}”, not in Chinese words")
    print("\n".join(problems))
    assert not problems, "\n".join(problems)
