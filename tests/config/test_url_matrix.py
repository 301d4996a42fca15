"""Who gets what: every URL pattern × every role × an object inside / outside the role's region.

Roles (columns of every expectation, in this order):
  S system admin (city) · D data admin (city) · C city supervisor · K county supervisor (沧县) ·
  T town caseworker (旧州镇) · V village caseworker (a village of 旧州镇) · A anonymous
"in" objects lie in that village (inside every regional scope); "out" objects in 河间市 (inside the
city-wide scopes only). An expectation is a status per role; "ok" means 200 or 302 (a POST that is
allowed: a redirect after success or the form again). Every refused POST must leave the database
exactly as it was (compared table by table); only the roles named in `changes` may change it.

The coverage test fails when a URL pattern appears that no case reaches (as Zulip's URL coverage
test does): a new page, endpoint, download or admin page must join this table with its expected
answer for every role. Admin pages are generated from ADMIN_MODELS, a table of which role may view,
add, change and delete each model; admin actions from ADMIN_ACTIONS.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from households import clock
from tests.alerts.feed_factories import self_pay_form
from tests.config.url_world import ROLES, World, make_world
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("regions")]

ORDER = "SDCKTVA"


def expect(spec: str) -> dict[str, set[int]]:
    """`"403 200 200 200 200 200 302"` → {role letter: allowed statuses}."""
    tokens = spec.split()
    assert len(tokens) == len(ORDER), spec
    return {
        role: ({200, 302} if token == "ok" else {int(token)})
        for role, token in zip(ORDER, tokens, strict=True)
    }


def none(world: World, side: str) -> list:
    return []


def side_obj(attr: str) -> Callable[[World, str], list]:
    return lambda world, side: [getattr(world.sides[side], attr).pk]


def lock(attr: str, **extra) -> Callable[[World, str], dict]:
    def data(world: World, side: str) -> dict:
        alert = getattr(world.sides[side], attr)
        return {"lock_version": alert.lock_version, **extra}

    return data


def assignee_for(world: World, side: str):
    """A caseworker who may receive the side's alerts: the village caseworker, or the out town's."""
    return world.personas["V"] if side == "in" else world.sides["out"].user


CASE_POST = "403 403 302 302 302 302 302"
CASE_POST_OUT = "403 403 302 404 404 404 302"
CASE_GET_POST_URL = "405 405 405 405 405 405 405"  # the step actions answer POST only
ROLLS = "403 403 200 200 403 403 302"  # payment rolls: supervisors
ROLLS_OUT = "403 403 200 404 403 403 302"
ROLL_ACT = "403 403 302 302 403 403 302"
ROLL_ACT_OUT = "403 403 302 404 403 403 302"


def pending_finding(world: World, side: str) -> list:
    """[application, finding]: a pending finding of the side's application (the check's feeds are
    not in the world, so one is made here, once per world)."""
    from assistance.models import Finding

    application = world.sides[side].application
    finding = Finding.objects.filter(application=application).first() or Finding.objects.create(
        application=application,
        person=application.applicant,
        source="settlement",
        source_record_id=1,
        summary="住院自付 12000 元",
    )
    return [application.pk, finding.pk]


@dataclass(frozen=True)
class Case:
    """One request: a URL (by name and arguments), a method, and the status every role gets."""

    name: str
    expect: str  # object inside the region (or the URL has no regional object)
    out: str | None = None  # object outside the region; None when the URL takes no regional object
    args: Callable[[World, str], list] = none
    method: str = "GET"
    data: Callable[[World, str], dict] | None = None
    query: dict | Callable[[World, str], dict] = field(default_factory=dict)
    changes: str = ""  # roles whose request may change data; for every other role nothing changes
    label: str = ""

    def url(self, world: World, side: str) -> str:
        return reverse(self.name, args=self.args(world, side))


READ = "403 200 200 200 200 200 302"  # households: everyone with personal data in their role
HH_OUT = "403 200 200 404 404 404 302"
TRIAGE = "403 403 200 200 200 200 302"
TRIAGE_OUT = "403 403 200 404 404 404 302"
IMPORTS = "403 200 403 403 403 403 302"
DASHBOARD = "403 200 200 200 403 403 302"
DASHBOARD_OUT = "403 200 200 404 403 403 302"
RULES = "403 200 200 200 403 403 302"
NOTICE = "403 403 200 200 200 200 302"  # 公示: caseworkers and supervisors
NOTICE_OUT = "403 403 200 404 404 404 302"
NOTICE_ACT = "403 403 302 302 302 302 302"
NOTICE_ACT_OUT = "403 403 302 404 404 404 302"
POST_ONLY = "405 405 405 405 405 405 405"
CASEWORK = "403 403 200 200 200 200 302"
CASEWORK_OUT = "403 403 200 404 404 404 302"
MEDICAL_LIST = "403 200 403 403 403 403 302"  # the monthly list to medical insurance: data admins
MEDICAL_LIST_POST = "403 302 403 403 403 403 302"


def intake(world: World, side: str, action: str) -> dict:
    """An intake form for the household of the side's application: 临时救助 (the household has no
    open one) or a referral."""
    from assistance.models import Program

    application = world.sides[side].application
    return {
        "household": application.household_id,
        "applicant": application.applicant_id,
        "channel": "single_window",
        "request": "申请救助",
        "action": action,
        "program": Program.objects.get(code="temp_emergency").pk,
        "department": "县残联",
        "due_on": clock.today().isoformat(),
    }


APP_CASES: list[Case] = [
    Case("home", "200 200 200 200 200 200 302"),
    Case("login", "302 302 302 302 302 302 200"),
    # a wrong password: the form again, and the failure recorded for the lockout
    Case(
        "login",
        "ok ok ok ok ok ok 200",
        method="POST",
        data=lambda w, s: {"username": "x", "password": "y"},
        changes="SDCKTVA",
    ),
    Case("logout", "405 405 405 405 405 405 405"),
    Case("logout", "302 302 302 302 302 302 302", method="POST", changes="SDCKTVA"),
    Case("password_change", "200 200 200 200 200 200 302"),
    Case("password_change_done", "200 200 200 200 200 200 302"),
    Case(
        "password_change",
        "200 200 200 200 200 200 302",
        method="POST",
        data=lambda w, s: {"old_password": "x"},
    ),
    Case(
        "set_language",
        "302 302 302 302 302 302 302",
        method="POST",
        data=lambda w, s: {"language": "en", "next": "/"},
    ),
    Case("households:list", READ),
    Case("households:list", READ, query={"q": "王"}),
    Case("households:detail", READ, HH_OUT, args=side_obj("household")),
    # who looked at a household: supervisors only (households.readlog)
    Case(
        "households:reads",
        "403 403 200 200 403 403 302",
        "403 403 200 404 403 403 302",
        args=side_obj("household"),
    ),
    Case("imports:batch_list", IMPORTS),
    Case("imports:batch_upload", IMPORTS),
    Case(
        "imports:batch_upload",
        IMPORTS,
        method="POST",
        data=lambda w, s: {"category": "diagnosis"},
        changes="D",
    ),
    # the blank templates: for whoever may upload (they are the upload page's help)
    Case("imports:feed_template", IMPORTS, args=lambda w, s: ["roster"]),
    Case("imports:batch_detail", IMPORTS, args=lambda w, s: [w.batch.pk]),
    Case("imports:batch_progress", IMPORTS, args=lambda w, s: [w.batch.pk]),
    Case("imports:batch_rejects_csv", IMPORTS, args=lambda w, s: [w.batch.pk]),
    # full IDs: data admins only (batches have no region: the same answer for every batch)
    Case("imports:batch_rows_to_correct", IMPORTS, args=lambda w, s: [w.batch.pk]),
    Case("alerts:inbox", TRIAGE),
    Case("alerts:inbox", TRIAGE, query={"status": "all", "rule": "serious_disease"}),
    Case("alerts:alert_detail", TRIAGE, TRIAGE_OUT, args=side_obj("new_alert")),
    Case("alerts:household_alerts", TRIAGE, TRIAGE_OUT, args=side_obj("household")),
    # An application's page and its step actions: caseworkers and supervisors of the region; a
    # refused action comes back as a message (302) and changes nothing; out of region is 404.
    Case("assistance:application_detail", TRIAGE, TRIAGE_OUT, args=side_obj("application")),
    Case(
        "assistance:application_detail",
        TRIAGE,
        TRIAGE_OUT,
        args=side_obj("application_confirm"),
        label="confirm",
    ),
    Case(
        "assistance:application_pass",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("application"),
        method="POST",
        data=lock("application", opinion=""),
        changes="CKTV",
    ),
    Case(
        "assistance:application_pass",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("application_confirm"),
        method="POST",
        data=lock("application_confirm", opinion="同意"),
        changes="CKTV",
        label="confirm",
    ),
    Case(
        "assistance:application_reject",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("application"),
        method="POST",
        data=lock("application", reason="收入超过标准"),
        changes="CKTV",
    ),
    Case(
        "assistance:application_withdraw",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("application"),
        method="POST",
        data=lock("application", reason="申请人撤回"),
        changes="CKTV",
    ),
    # the second investigator is the side's town caseworker: offered to everyone but themselves
    # (for them the form comes back, 400, and the page they see again is in the read log)
    Case(
        "assistance:application_visit",
        "403 403 302 302 400 302 302",
        CASE_POST_OUT,
        args=side_obj("application"),
        method="POST",
        data=lambda w, s: {
            **lock("application")(w, s),
            "visited_on": clock.today().isoformat(),
            "staff_second": w.sides[s].user.pk,
            "findings": "家中两人患病",
            "household_situation": "三口之家",
        },
        changes="CKTV",
    ),
    Case(
        "assistance:application_amount",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("application"),
        method="POST",
        data=lock("application", monthly_income_per_capita="300", members_covered="3"),
        changes="CKTV",
    ),
    Case(
        "assistance:finding_confirm",
        CASE_POST,
        CASE_POST_OUT,
        args=lambda w, s: pending_finding(w, s),
        method="POST",
        data=lambda w, s: {"status": "confirmed", "explanation": ""},
        changes="CKTV",
    ),
    *(
        Case(
            f"assistance:{name}",
            CASE_GET_POST_URL,
            CASE_GET_POST_URL,
            args=side_obj("application"),
            label="GET",
        )
        for name in (
            "application_pass",
            "application_reject",
            "application_withdraw",
            "application_visit",
            "application_amount",
            "findings_refresh",
        )
    ),
    # the side's application stands at 申请受理: a refresh is refused with a message, nothing changes
    Case(
        "assistance:findings_refresh",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("application"),
        method="POST",
        data=lambda w, s: {},
    ),
    Case(
        "assistance:finding_confirm",
        CASE_GET_POST_URL,
        CASE_GET_POST_URL,
        args=lambda w, s: pending_finding(w, s),
        label="GET",
    ),
    # Triage actions: refused actions of a role that works alerts come back as a message (302) and
    # change nothing; roles that do not work alerts get 403; out of region is 404.
    Case(
        "alerts:bulk_assign",
        "403 403 302 302 302 302 302",
        method="POST",
        data=lambda w, s: {"alerts": [w.sides[s].new_alert.pk], "assignee": assignee_for(w, s).pk},
        changes="CKT",
    ),
    Case("alerts:bulk_assignees", "403 403 200 200 200 403 302", label="nothing ticked"),
    # ticks outside the region are ignored (the list is of people who can see the visible ones)
    Case(
        "alerts:bulk_assignees",
        "403 403 200 200 200 403 302",
        "403 403 200 200 200 403 302",
        query=lambda w, s: {"alerts": [w.sides[s].new_alert.pk]},
    ),
    Case(
        "alerts:alert_claim",
        "403 403 302 302 302 302 302",
        "403 403 302 404 404 404 302",
        args=side_obj("new_alert"),
        method="POST",
        data=lock("new_alert", note=""),
        changes="TV",
    ),
    Case(
        "alerts:alert_assign",
        "403 403 302 302 302 302 302",
        "403 403 302 404 404 404 302",
        args=side_obj("new_alert"),
        method="POST",
        data=lambda w, s: {**lock("new_alert", note="")(w, s), "assignee": assignee_for(w, s).pk},
        changes="CKT",
    ),
    Case(
        "alerts:alert_start_verification",
        "403 403 302 302 302 302 302",
        "403 403 302 404 404 404 302",
        args=side_obj("assigned_alert"),
        method="POST",
        data=lock("assigned_alert", note=""),
        changes="CKT",
    ),
    Case(
        "alerts:alert_record_visit",
        "403 403 302 302 302 302 302",
        "403 403 302 404 404 404 302",
        args=side_obj("verifying_alert"),
        method="POST",
        data=lambda w, s: {
            **lock("verifying_alert")(w, s),
            "visited_on": clock.today().isoformat(),
            "visitors": "甲、乙",
            "findings": "属实",
            "household_situation": "困难",
        },
        changes="CKT",
    ),
    Case(
        "alerts:alert_close",
        "403 403 302 302 302 302 302",
        "403 403 302 404 404 404 302",
        args=side_obj("verifying_alert"),
        method="POST",
        data=lock("verifying_alert", outcome="data_error", note="数据有误"),
        changes="CKT",
    ),
    Case(
        "alerts:alert_reopen",
        "403 403 302 302 302 302 302",
        "403 403 302 404 404 404 302",
        args=side_obj("closed_alert"),
        method="POST",
        data=lock("closed_alert", note="再核"),
        changes="CK",
    ),
    Case("alerts:rules", RULES),
    Case("alerts:rule_history", RULES, args=lambda w, s: ["serious_disease"]),
    Case("alerts:rule_edit", "403 403 200 200 403 403 302", args=lambda w, s: ["high_medical_self_pay"]),
    Case(
        "alerts:rule_edit",
        "403 403 302 403 403 403 302",
        args=lambda w, s: ["high_medical_self_pay"],
        method="POST",
        data=lambda w, s: self_pay_form(threshold_yuan="9000", note="调整", action="save"),
        changes="C",
        label="save",
    ),
    Case(
        "alerts:rule_edit",
        "403 403 403 302 403 403 302",
        args=lambda w, s: ["high_medical_self_pay"],
        method="POST",
        data=lambda w, s: self_pay_form(threshold_yuan="9000", note="建议", action="propose"),
        changes="K",
        label="propose",
    ),
    # Rules apply city-wide: anyone who may edit previews (on their own region), changing nothing;
    # a city supervisor opens the editor on a proposal of any county, a county supervisor on their own.
    Case(
        "alerts:rule_edit",
        "403 403 200 200 403 403 302",
        args=lambda w, s: ["high_medical_self_pay"],
        method="POST",
        data=lambda w, s: self_pay_form(threshold_yuan="9000", action="preview"),
        label="preview",
    ),
    Case(
        "alerts:rule_edit",
        "403 403 200 200 403 403 302",
        "403 403 200 404 403 403 302",
        args=lambda w, s: ["high_medical_self_pay"],
        query=lambda w, s: {"proposal": w.sides[s].proposal.pk},
        label="proposal",
    ),
    Case(
        "alerts:rule_proposal",
        "403 403 200 200 403 403 302",
        "403 403 200 404 403 403 302",
        args=side_obj("proposal"),
    ),
    # Only a city supervisor decides, either way.
    *(
        Case(
            "alerts:rule_proposal",
            "403 403 302 403 403 403 302",
            "403 403 302 404 403 403 302",
            args=side_obj("proposal"),
            method="POST",
            data=lambda w, s, decision=decision: {"decision": decision, "note": "审议"},
            changes="C",
            label=decision,
        )
        for decision in ("adopt", "decline")
    ),
    Case("alerts:dashboard", DASHBOARD),
    Case("alerts:dashboard_export", DASHBOARD),
    Case("alerts:dashboard_region", DASHBOARD, DASHBOARD_OUT, args=lambda w, s: [w.sides[s].village[:6]]),
    Case(
        "alerts:dashboard_region_export", DASHBOARD, DASHBOARD_OUT, args=lambda w, s: [w.sides[s].village[:6]]
    ),
    # 公示: caseworkers and supervisors of the village's region; every one of them may publish and
    # handle objections (town level). Refused actions come back as a message (302), other regions 404.
    Case("assistance:notice_list", NOTICE),
    Case("assistance:notice_list", NOTICE, query={"before": "999999"}),
    Case("assistance:notice_detail", NOTICE, NOTICE_OUT, args=side_obj("notice")),
    Case("assistance:notice_print", NOTICE, NOTICE_OUT, args=side_obj("notice")),
    Case("assistance:standing_list", NOTICE, label="choose a village"),
    Case("assistance:standing_list", NOTICE, NOTICE_OUT, query=lambda w, s: {"village": w.sides[s].village}),
    Case(
        "assistance:standing_list",
        NOTICE,
        NOTICE_OUT,
        query=lambda w, s: {"village": w.sides[s].village, "print": "1"},
        label="print",
    ),
    Case("assistance:notice_publish", POST_ONLY),
    # nothing waits in the world's villages (their application is on the notice): a message, no change
    Case(
        "assistance:notice_publish",
        NOTICE_ACT,
        NOTICE_ACT_OUT,
        method="POST",
        data=lambda w, s: {"village": w.sides[s].village},
        changes="CKTV",
    ),
    Case("assistance:objection_record", POST_ONLY, args=side_obj("entry")),
    Case(
        "assistance:objection_record",
        NOTICE_ACT,
        NOTICE_ACT_OUT,
        args=side_obj("entry"),
        method="POST",
        data=lambda w, s: {"received_on": clock.today().isoformat(), "content": "家中有车", "raised_by": ""},
        changes="CKTV",
    ),
    Case("assistance:objection_decide", POST_ONLY, args=side_obj("objection")),
    Case(
        "assistance:objection_decide",
        NOTICE_ACT,
        NOTICE_ACT_OUT,
        args=side_obj("objection"),
        method="POST",
        data=lambda w, s: {"decision": "dismissed", "finding": "车辆已过户"},
        changes="CKTV",
    ),
    # the dashboard's assistance fragment: the dashboard's roles and regions; read-only
    Case("assistance:dashboard_figures", DASHBOARD),
    Case(
        "assistance:dashboard_figures", DASHBOARD, DASHBOARD_OUT, args=lambda w, s: [w.sides[s].village[:6]]
    ),
    Case("assistance:dashboard_figures", DASHBOARD, DASHBOARD_OUT, args=lambda w, s: [w.sides[s].village]),
    Case("assistance:dashboard_figures", "405 405 405 405 405 405 405", method="POST", data=lambda w, s: {}),
    Case(
        "assistance:dashboard_figures",
        "405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405",
        args=lambda w, s: [w.sides[s].village[:6]],
        method="POST",
        data=lambda w, s: {},
    ),
    # Assistance: applications and referrals are the work of caseworkers and supervisors of the region.
    Case("assistance:application_list", CASEWORK),
    Case(
        "assistance:application_list",
        CASEWORK,
        query={"status": "all", "overdue": "on", "staff_relative": "on", "channel": "hotline", "q": "王"},
    ),
    Case("assistance:application_new", CASEWORK, query={"q": "王"}, label="search"),
    Case(
        "assistance:application_new",
        CASEWORK,
        CASEWORK_OUT,
        query=lambda w, s: {"household": w.sides[s].application.household_id},
        label="form",
    ),
    *(
        Case(
            "assistance:application_new",
            "403 403 302 302 302 302 302",
            "403 403 302 404 404 404 302",
            method="POST",
            data=lambda w, s, action=action: intake(w, s, action),
            changes="CKTV",
            label=action,
        )
        for action in ("accept", "refer")
    ),
    Case("assistance:referral_list", CASEWORK),
    Case("assistance:referral_list", CASEWORK, query={"status": "all"}),
    Case(
        "assistance:referral_answer",
        "403 403 302 302 302 302 302",
        "403 403 302 404 404 404 302",
        args=side_obj("referral"),
        method="POST",
        data=lambda w, s: {"answer": "已办理", "answered_on": clock.today().isoformat()},
        changes="CKTV",
    ),
    # --- issue 16: payment rolls ---
    # Rolls: county and city supervisors (a county supervisor: their county; caseworkers: refused).
    Case("assistance:roll_list", ROLLS),
    Case("assistance:roll_compute", POST_ONLY),
    Case(
        "assistance:roll_compute",
        ROLL_ACT,
        ROLL_ACT,
        method="POST",
        data=lambda w, s: {"county": w.sides[s].village[:6], "month": clock.today().strftime("%Y-%m")},
        changes="CK",
    ),
    *(
        Case("assistance:roll_detail", ROLLS, ROLLS_OUT, args=side_obj(roll), query=query, label=roll)
        for roll in ("draft_roll", "locked_roll")
        for query in ({}, {"status": "pending", "town": "130921101", "before": "999999999"})
    ),
    Case("assistance:roll_lock", POST_ONLY, args=side_obj("draft_roll")),
    Case(
        "assistance:roll_lock",
        ROLL_ACT,
        ROLL_ACT_OUT,
        args=side_obj("draft_roll"),
        method="POST",
        data=lambda w, s: {"lock_version": w.sides[s].draft_roll.lock_version},
        changes="CK",
    ),
    *(
        Case("assistance:roll_export", ROLLS, ROLLS_OUT, args=side_obj("locked_roll"), query={"format": f})
        for f in ("csv", "xlsx")
    ),
    Case("assistance:roll_export", ROLL_ACT, ROLL_ACT_OUT, args=side_obj("draft_roll"), label="draft"),
    Case("assistance:account_edit", CASEWORK, CASEWORK_OUT, args=lambda w, s: [w.sides[s].account.person_id]),
    Case(
        "assistance:account_edit",
        CASE_POST,
        CASE_POST_OUT,
        args=lambda w, s: [w.sides[s].account.person_id],
        method="POST",
        data=lambda w, s: {"kind": "bank", "bank_name": "建设银行", "account_no": "6217001234567890"},
        changes="CKTV",
    ),
    Case("assistance:adjustment_add", POST_ONLY, args=side_obj("paid_grant")),
    Case(
        "assistance:adjustment_add",
        ROLL_ACT,
        ROLL_ACT_OUT,
        args=side_obj("paid_grant"),
        method="POST",
        data=lambda w, s: {"amount": "25.00", "reason": "上月少发"},
        changes="CK",
    ),
    # (end of payment rolls)
    # --- issue 16: bank return ---
    # the bank's return file of a locked roll: supervisors of the roll's county (or the city) import
    # it; an upload without a file gives the form again and changes nothing
    Case(
        "assistance:roll_return_upload",
        "403 403 200 200 403 403 302",
        "403 403 200 404 403 403 302",
        args=side_obj("return_roll"),
    ),
    Case(
        "assistance:roll_return_upload",
        "403 403 200 200 403 403 302",
        "403 403 200 404 403 403 302",
        args=side_obj("return_roll"),
        method="POST",
        data=lambda w, s: {},
    ),
    Case(
        "assistance:roll_return_detail",
        "403 403 200 200 403 403 302",
        "403 403 200 404 403 403 302",
        args=side_obj("return_batch"),
    ),
    # failed or returned payments to pay again, and a household's payments: who sees payment lines
    Case("assistance:payment_failures", CASEWORK),
    Case("assistance:payment_failures", CASEWORK, query={"county": "130921", "town": "130921101"}),
    Case("assistance:payment_failures", CASEWORK, query={"county": "130984"}, label="other county"),
    Case("assistance:household_payments", CASEWORK, CASEWORK_OUT, args=side_obj("household")),
    *(
        Case(f"assistance:{name}", POST_ONLY, args=args, method="POST", data=lambda w, s: {})
        for name, args in (
            ("roll_return_detail", side_obj("return_batch")),
            ("payment_failures", none),
            ("household_payments", side_obj("household")),
        )
    ),
    # (end of bank return)
    # --- issue 16: reviews and exits ---
    # reviews and a grant's page: caseworkers and supervisors of the region; deciding a review and
    # ending a grant change data (refused for everyone else, 404 outside the region)
    Case("assistance:review_list", CASEWORK),
    Case("assistance:review_list", CASEWORK, query={"mine": "1", "reason": "scheduled"}),
    Case("assistance:review_list", CASEWORK, query={"status": "done", "after": "2027-01-01_1"}),
    Case("assistance:review_list", "405 405 405 405 405 405 405", method="POST", data=lambda w, s: {}),
    Case("assistance:review_detail", CASEWORK, CASEWORK_OUT, args=side_obj("review")),
    Case(
        "assistance:review_detail",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("review"),
        method="POST",
        data=lambda w, s: {
            "lock_version": w.sides[s].review.lock_version,
            "outcome": "keep",
            "note": "入户核实，情况无变化",
        },
        changes="CKTV",
    ),
    Case("assistance:grant_detail", CASEWORK, CASEWORK_OUT, args=side_obj("grant")),
    Case(
        "assistance:grant_detail",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("grant"),
        method="POST",
        data=lambda w, s: {
            "reason": "voluntary",
            "effective_on": clock.today().isoformat(),
            "note": "本人申请",
        },
        changes="CKTV",
    ),
    # (end of reviews and exits)
    # --- issue 16: monthly list ---
    # Data admins only; lists are city-wide (or county-wide), so no "out" object.
    Case("assistance:medical_list_list", MEDICAL_LIST),
    Case("assistance:medical_list_produce", POST_ONLY),
    Case(
        "assistance:medical_list_produce",
        MEDICAL_LIST_POST,
        method="POST",
        data=lambda w, s: {"period": "2027-01", "region": "130900"},
        changes="D",
    ),
    Case("assistance:medical_list_detail", MEDICAL_LIST, args=side_obj("medical_list")),
    # full IDs, logged
    Case(
        "assistance:medical_list_download",
        MEDICAL_LIST,
        args=side_obj("medical_list"),
        query={"format": "csv"},
    ),
    Case(
        "assistance:medical_list_download",
        MEDICAL_LIST,
        args=side_obj("medical_list"),
        query={"format": "xlsx"},
    ),
    Case("assistance:medical_list_send", POST_ONLY, args=side_obj("medical_list")),
    Case(
        "assistance:medical_list_send",
        MEDICAL_LIST_POST,
        args=side_obj("medical_list"),
        method="POST",
        data=lambda w, s: {},
        changes="D",
    ),
    Case("assistance:medical_list_ack", POST_ONLY, args=side_obj("medical_list")),
    Case(
        "assistance:medical_list_ack",
        MEDICAL_LIST_POST,
        args=side_obj("medical_list"),
        method="POST",
        data=lambda w, s: {"note": "回执 1", "acknowledged_on": clock.today().isoformat()},
        changes="D",
    ),
    # (end of monthly list)
    # --- issue 16: follow-ups and my work ---
    Case("assistance:followup_list", CASEWORK),
    Case("assistance:followup_list", CASEWORK, query={"status": "done", "mine": "1"}, label="done mine"),
    Case(
        "assistance:followup_list", CASEWORK, query={"overdue": "1", "after": "2027-01-01_1"}, label="overdue"
    ),
    Case("assistance:followup_detail", CASEWORK, CASEWORK_OUT, args=side_obj("followup")),
    Case(
        "assistance:followup_detail",
        CASE_POST,
        CASE_POST_OUT,
        args=side_obj("followup"),
        method="POST",
        data=lambda w, s: {"result": "resolved", "note": "见到本人，困难已缓解"},
        changes="CKTV",
        label="record",
    ),
    Case(
        "assistance:followup_detail",
        "403 403 400 400 400 400 302",
        "403 403 400 404 404 404 302",
        args=side_obj("followup"),
        method="POST",
        data=lambda w, s: {"result": "resolved", "note": ""},
        changes="CKTV",  # the read log notes the page shown again with the error
        label="record without a note",
    ),
    Case("alerts:inbox", TRIAGE, query={"assignee": "mine", "due_soon": "on"}, label="due soon"),
    Case("assistance:application_list", CASEWORK, query={"level": "county"}, label="county level"),
    # (end of follow-ups and my work)
]


# --- the admin site ---------------------------------------------------------------------------

STAFF = "SDCK"  # roles with admin access; caseworkers and anonymous users are sent to sign in
ACTIONS_AT_ONCE = {("axes.accessattempt", "unlock")}


@dataclass(frozen=True)
class AdminModel:
    """Who may do what with a model in the admin (role letters), and which object its pages show."""

    obj: Callable[[World, str], object]
    view: str = ""
    add: str = ""
    change: str = ""  # the model-level change permission (admin actions need it)
    change_form: str | None = None  # who may save the change form (default: `change`)
    delete: str = ""
    scoped: bool = False  # the object has a region: "out" is invisible to K, T, V

    def saves(self) -> str:
        return self.change if self.change_form is None else self.change_form


def record(model_name: str):
    return lambda w, s: next(r for m, r in w.records.items() if m._meta.model_name == model_name)


def regional(attr: str):
    return lambda w, s: getattr(w.sides[s], attr)


ADMIN_MODELS: dict[str, AdminModel] = {
    "households.region": AdminModel(
        lambda w, s: w.sides[s].household.region, view="SDCK", add="S", change="S", scoped=True
    ),
    "households.user": AdminModel(regional("user"), view="S", add="S", change="S", scoped=True),
    "households.household": AdminModel(regional("household"), view="DCK", change="D", scoped=True),
    "households.person": AdminModel(regional("person"), view="DCK", change="D", scoped=True),
    "imports.department": AdminModel(lambda w, s: w.department, view="SD", add="D", change="D"),
    "imports.importbatch": AdminModel(lambda w, s: w.batch, view="DCK"),
    "imports.rejectedrow": AdminModel(lambda w, s: w.rejected_row, view="D"),
    "imports.medicalsettlement": AdminModel(record("medicalsettlement"), view="D"),
    "imports.diagnosis": AdminModel(record("diagnosis"), view="D"),
    "imports.disabilitycertificate": AdminModel(record("disabilitycertificate"), view="D"),
    "imports.unemploymentregistration": AdminModel(record("unemploymentregistration"), view="D"),
    "imports.rosterentry": AdminModel(record("rosterentry"), view="D"),
    "imports.namemismatch": AdminModel(record("namemismatch"), view="D"),
    "imports.feedrecordchange": AdminModel(record("feedrecordchange"), view="D"),
    "alerts.ruleversion": AdminModel(lambda w, s: w.rule_version, view="DCK"),
    "alerts.monitoringrun": AdminModel(lambda w, s: w.run, view="DCK"),
    "alerts.alert": AdminModel(regional("new_alert"), view="CK", change="CK", change_form="", scoped=True),
    "alerts.alertevent": AdminModel(regional("event"), view="CK", scoped=True),
    "alerts.homevisit": AdminModel(regional("visit"), view="CK", scoped=True),
    "axes.accessattempt": AdminModel(record("accessattempt"), view="S", delete="S"),
    "axes.accesslog": AdminModel(record("accesslog"), view="S"),
    "axes.accessfailurelog": AdminModel(record("accessfailurelog"), view="S"),
    "readlog.readlogentry": AdminModel(record("readlogentry"), view=""),  # superusers only
    "alerts.responsibility": AdminModel(
        regional("responsibility"), view="CK", add="CK", change="CK", delete="CK", scoped=True
    ),
    # the holiday calendar is city-wide: every supervisor reads it, city supervisors keep it
    "households.calendarday": AdminModel(record("calendarday"), view="CK", add="C", change="C", delete="C"),
    # city-wide: only city supervisors change programmes and add steps and standards (never edited)
    "assistance.program": AdminModel(record("program"), view="CK", change="C"),
    "assistance.approvalstep": AdminModel(record("approvalstep"), view="CK", add="C"),
    "assistance.standard": AdminModel(record("standard"), view="CK", add="C"),
    # issue 16 admin: payment rolls
    # (end of payment rolls admin)
    # issue 16 admin: bank return
    "imports.paymentreturn": AdminModel(lambda w, s: w.sides["in"].payment_return, view="D"),
    # (end of bank return admin)
    # issue 16 admin: reviews and exits
    # (end of reviews and exits admin)
    # issue 16 admin: monthly list
    # (end of monthly list admin)
    # issue 16 admin: follow-ups
    # (end of follow-ups admin)
}

# (model, action): the roles allowed. Their first step is a confirmation page or a form (200), on
# which nothing has changed yet, except for the actions in ACTIONS_AT_ONCE (done, then back: 302).
ADMIN_ACTIONS: dict[tuple[str, str], str] = {
    ("alerts.alert", "bulk_assign"): "CK",
    ("alerts.responsibility", "delete_selected"): "CK",
    ("axes.accessattempt", "unlock"): "S",
    ("households.calendarday", "delete_selected"): "C",
    ("households.household", "delete_selected"): "",
    ("households.person", "delete_selected"): "",
    ("households.user", "delete_selected"): "",
}


def admin_page(
    role: str,
    *,
    allowed: bool,
    visible: bool = True,
    perm_first: bool = True,
    ok: frozenset = frozenset({200}),
) -> set[int]:
    """The status an admin page gives `role`: sign-in for non-staff, else 403 / 404 / the page (`ok`).

    Django checks the permission before looking the object up, except on the history page.
    """
    if role not in STAFF:
        return {302}
    if perm_first and not allowed:
        return {403}
    if not visible:
        return {404}
    return set(ok) if allowed else {403}


POSTED = frozenset({200, 302})  # an allowed admin POST: the form again (errors) or a redirect


def admin_cases() -> list[tuple[str, str, Callable, Callable, dict]]:
    """(label, method, url(world, side), data(world, side), {side: {role: statuses}}) per admin page."""
    cases = []
    for key, policy in ADMIN_MODELS.items():
        app, model = key.split(".")
        base = f"admin:{app}_{model}"
        viewers = set(policy.view) | set(policy.change)

        def obj_url(suffix, policy=policy, base=base):
            return lambda w, s: reverse(f"{base}_{suffix}", args=[policy.obj(w, s).pk])

        def visible(role, side, policy=policy):
            return side == "in" or not policy.scoped or role in "SDC"

        def per_side(fn):
            return {side: {r: fn(r, side) for r in ORDER} for side in ("in", "out")}

        changelist = lambda w, s, base=base: reverse(f"{base}_changelist")  # noqa: E731
        cases += [
            (
                f"{key} list",
                "GET",
                changelist,
                None,
                per_side(lambda r, s, v=viewers: admin_page(r, allowed=r in v)),
            ),
            (
                f"{key} search",
                "GET",
                lambda w, s, base=base: reverse(f"{base}_changelist") + "?q=赵",
                None,
                per_side(lambda r, s, v=viewers: admin_page(r, allowed=r in v)),
            ),
            (
                f"{key} add",
                "GET",
                lambda w, s, base=base: reverse(f"{base}_add"),
                None,
                per_side(lambda r, s, p=policy: admin_page(r, allowed=r in p.add)),
            ),
            (
                f"{key} add",
                "POST",
                lambda w, s, base=base: reverse(f"{base}_add"),
                lambda w, s: {},
                per_side(lambda r, s, p=policy: admin_page(r, allowed=r in p.add, ok=POSTED)),
            ),
            (
                f"{key} change",
                "GET",
                obj_url("change"),
                None,
                per_side(
                    lambda r, s, v=viewers, vis=visible: admin_page(r, allowed=r in v, visible=vis(r, s))
                ),
            ),
            (
                f"{key} change",
                "POST",
                obj_url("change"),
                lambda w, s: {},
                per_side(
                    lambda r, s, p=policy, vis=visible: (
                        admin_page(r, allowed=r in p.change, visible=vis(r, s), ok=POSTED)
                        if r not in p.change or not vis(r, s) or r in p.saves()
                        else {403}
                    )
                ),
            ),
            (
                f"{key} delete",
                "GET",
                obj_url("delete"),
                None,
                per_side(
                    lambda r, s, p=policy, vis=visible: admin_page(
                        r, allowed=r in p.delete, visible=vis(r, s)
                    )
                ),
            ),
            (
                f"{key} delete",
                "POST",
                obj_url("delete"),
                lambda w, s: {"post": "yes"},
                per_side(
                    lambda r, s, p=policy, vis=visible: admin_page(
                        r, allowed=r in p.delete, visible=vis(r, s), ok=POSTED
                    )
                ),
            ),
            (
                f"{key} history",
                "GET",
                obj_url("history"),
                None,
                per_side(
                    lambda r, s, v=viewers, vis=visible: admin_page(
                        r, allowed=r in v, visible=vis(r, s), perm_first=False
                    )
                ),
            ),
            (
                f"{key} object redirect",
                "GET",
                lambda w, s, policy=policy, base=base: (
                    reverse(f"{base}_changelist") + f"{policy.obj(w, s).pk}/"
                ),
                None,
                per_side(lambda r, s: {302}),
            ),
        ]
        any_action = "".join(roles for (m, _), roles in ADMIN_ACTIONS.items() if m == key)
        for (action_model, action), allowed in ADMIN_ACTIONS.items():
            if action_model != key:
                continue
            at_once = (key, action) in ACTIONS_AT_ONCE
            cases.append(
                (
                    f"{key} action {action}",
                    "POST",
                    changelist,
                    lambda w, s, p=policy, a=action: {"action": a, ACTION_CHECKBOX_NAME: [p.obj(w, s).pk]},
                    per_side(
                        lambda r, s, v=viewers, a=allowed, vis=visible, x=any_action, o=at_once: (
                            action_status(r, v, a, vis(r, s), x, at_once=o)
                        )
                    ),
                    allowed if at_once else "",
                )
            )
    return cases


def action_status(
    role: str, viewers: set[str], allowed: str, visible: bool, any_action: str, *, at_once: bool = False
) -> set[int]:
    """Sign-in for non-staff; 403 without the model; a role offered no action at all on the model
    just gets the list again (200); without this action's permission Django answers "nothing done"
    (302); else the action's first step (200), or "nothing you can see was selected" (302) when the
    selection lies outside the user's region. An action done at once answers 302 when it is done."""
    if role not in STAFF:
        return {302}
    if role not in viewers:
        return {403}
    if role not in any_action:
        return {200}
    if role not in allowed:
        return {302}
    return {302} if at_once or not visible else {200}


def site_cases() -> list[tuple]:
    """The admin site's own pages and the extra pages some admins add (password, import/export)."""
    staff_only = "200 200 200 200 302 302 302"

    def page(label, url, spec, method="GET", data=None, *changes):
        """One request, the same for objects in and out of the region unless `spec` is a pair."""
        target = url if callable(url) else (lambda w, s, path=url: path)
        in_spec, out_spec = spec if isinstance(spec, tuple) else (spec, spec)
        payload = (lambda w, s: data) if data is not None else None
        return (label, method, target, payload, {"in": expect(in_spec), "out": expect(out_spec)}, *changes)

    def user_password(w, s):
        return reverse("admin:auth_user_password_change", args=[w.sides[s].user.pk])

    def on_site(w, s):
        household = w.sides[s].household
        return reverse(
            "admin:view_on_site", args=[ContentType.objects.get_for_model(household).pk, household.pk]
        )

    importing = reverse("admin:imports_department_import")
    exporting = reverse("admin:imports_department_export")
    autocomplete = "?app_label=households&model_name=user&field_name=scope&term=沧"
    return [
        page("admin index", reverse("admin:index"), staff_only),
        page("admin login", reverse("admin:login"), "302 302 302 302 200 200 200"),
        page("admin logout", reverse("admin:logout"), "405 405 405 405 302 302 302"),
        # signing out records the time (django-axes)
        page("admin logout", reverse("admin:logout"), "302 302 302 302 302 302 302", "POST", {}, STAFF),
        page("admin password", reverse("admin:password_change"), staff_only),
        page("admin password", reverse("admin:password_change"), staff_only, "POST", {"old_password": "x"}),
        page("admin password done", reverse("admin:password_change_done"), staff_only),
        page("admin jsi18n", reverse("admin:jsi18n"), staff_only),
        page("admin autocomplete region", reverse("admin:autocomplete") + autocomplete, staff_only),
        page("admin view on site", on_site, "404 404 404 404 302 302 302"),
        page("admin app households", reverse("admin:app_list", args=["households"]), staff_only),
        page("admin app imports", reverse("admin:app_list", args=["imports"]), staff_only),
        page("admin app alerts", reverse("admin:app_list", args=["alerts"]), "404 200 200 200 302 302 302"),
        page(
            "admin app assistance",
            reverse("admin:app_list", args=["assistance"]),
            "404 404 200 200 302 302 302",
        ),
        page("admin app axes", reverse("admin:app_list", args=["axes"]), "200 404 404 404 302 302 302"),
        page("admin unknown page", "/admin/no-such-page/", "404 404 404 404 302 302 302"),
        page("admin user password", user_password, "200 403 403 403 302 302 302"),
        page(
            "admin user password",
            user_password,
            "ok 403 403 403 302 302 302",
            "POST",
            {"password1": "Takeover-2026!x", "password2": "Takeover-2026!x"},
        ),
        page("admin department import", importing, "403 200 403 403 302 302 302"),
        page("admin department import", importing, "403 200 403 403 302 302 302", "POST", {}),
        page(
            "admin department process import",
            reverse("admin:imports_department_process_import"),
            "403 ok 403 403 302 302 302",
            "POST",
            {},
        ),
        page("admin department export", exporting, "200 200 403 403 302 302 302"),
        page("admin department export", exporting, "200 200 403 403 302 302 302", "POST", {}),
    ]


# --- running the matrix -------------------------------------------------------------------------

SKIP_TABLES = ("django_session", "django_migrations")


def database_fingerprint() -> str:
    """One hash of every row of every table (but sessions and sign-in logs): equal before and after
    a request means the request changed nothing."""
    tables = sorted(t for t in connection.introspection.table_names() if not t.startswith(SKIP_TABLES))
    parts = " UNION ALL ".join(
        f"SELECT {n} AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM \"{t}\" t"
        for n, t in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5(string_agg(h, '' ORDER BY n)) FROM ({parts}) x")
        return cursor.fetchone()[0]


def run_request(client, method: str, url: str, data: dict | None, query: dict | None) -> tuple[int, bool]:
    """Make the request inside a savepoint that is rolled back afterwards (the world stays as it
    was for the next request); answer its status and whether it changed the database."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            before = database_fingerprint() if method == "POST" else ""
            response = client.post(url, data or {}) if method == "POST" else client.get(url, query or {})
            if response.streaming:
                b"".join(response.streaming_content)
            changed = method == "POST" and database_fingerprint() != before
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response.status_code, changed


def all_cases(world: World):
    """Every request of the matrix: (label, method, url, data, query, side, {role: statuses}, changes)."""
    for case in APP_CASES:
        for side in ("in", "out") if case.out else ("in",):
            spec = expect(case.expect if side == "in" else case.out)
            data = case.data(world, side) if case.data else None
            label = f"{case.name} {case.label}".strip()
            query = case.query(world, side) if callable(case.query) else case.query
            yield label, case.method, case.url(world, side), data, query, side, spec, case.changes
    for label, method, url, data, per_side, *changes in [*admin_cases(), *site_cases()]:
        scoped = per_side["in"] != per_side["out"] or label.split(" ")[0] in {
            k for k, m in ADMIN_MODELS.items() if m.scoped
        }
        for side in ("in", "out") if scoped else ("in",):
            payload = data(world, side) if data else None
            # who may change data: as the case says, else the roles whose POST is allowed
            allowed = changes[0] if changes else "".join(r for r in ORDER if per_side[side][r] == set(POSTED))
            yield label, method, url(world, side), payload, None, side, per_side[side], allowed


@pytest.mark.parametrize("role", list(ORDER), ids=[ROLES[r] for r in ORDER])
def test_every_url_answers_each_role_as_intended(role, client):
    world = make_world()
    user = world.personas[role]
    if user is not None:
        client.force_login(user)
    failures = []
    for label, method, url, data, query, side, spec, changes in all_cases(world):
        try:
            status, changed = run_request(client, method, url, data, query)
        except Exception as exc:  # a 500: report it with the rest
            failures.append(f"{method} {url} ({label}, {side}): raised {exc!r}")
            continue
        if status not in spec[role]:
            failures.append(f"{method} {url} ({label}, {side}): expected {sorted(spec[role])}, got {status}")
        if changed and role not in changes:
            failures.append(f"{method} {url} ({label}, {side}): refused, but the database changed")
    assert not failures, f"{len(failures)} unexpected answers:\n" + "\n".join(failures)


def route_of(pattern, prefix: str) -> str:
    return URLResolver._join_route(prefix, str(pattern.pattern))


def all_routes(patterns=None, prefix: str = "") -> set[str]:
    routes = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            routes |= all_routes(pattern.url_patterns, route_of(pattern, prefix))
        elif isinstance(pattern, URLPattern):
            routes.add(route_of(pattern, prefix))
    return routes


def test_every_url_pattern_has_an_expectation_for_every_role():
    world = make_world()
    reached = {resolve(url.split("?")[0]).route for _, _, url, *_ in all_cases(world)}
    assert sorted(all_routes() - reached) == []


def test_every_admin_model_and_action_is_in_the_table():
    """A model registered in the admin, or an action offered on it, without an expectation fails."""
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="m_root", is_superuser=True)
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS)
    offered = {
        (m._meta.label_lower, name)
        for m, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
    }
    assert offered == set(ADMIN_ACTIONS)


def test_the_fingerprint_sees_any_change(regions):
    """The "nothing changed" check above is only as good as this hash."""
    world = make_world()
    before = database_fingerprint()
    with transaction.atomic():
        note = world.sides["in"].closed_alert.close_note
        type(world.sides["in"].closed_alert).objects.filter(pk=world.sides["in"].closed_alert.pk).update(
            close_note=note + "。"
        )
        assert database_fingerprint() != before
        transaction.set_rollback(True)
    assert database_fingerprint() == before
