"""Rule pages: who may see and edit, the preview, saving a version, validation messages, admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from alerts.models import Alert, RuleVersion
from households import clock
from tests.alerts.feed_factories import (  # noqa: F401
    MedicalSettlementFactory,
    monitored_person,
    rule_defaults,
    self_pay_form,
)
from tests.helpers import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]
SELF_PAY = "high_medical_self_pay"


@pytest.mark.parametrize("name", ["rules", "rule_edit", "rule_history"])
def test_caseworkers_are_refused(client_for, caseworker_a, name):
    args = [] if name == "rules" else [SELF_PAY]
    assert client_for(caseworker_a).get(reverse(f"alerts:{name}", args=args)).status_code == 403
    assert (
        client_for(caseworker_a)
        .post(reverse("alerts:rule_edit", args=[SELF_PAY]), self_pay_form(action="save", note="x"))
        .status_code
        == 403
    )
    assert RuleVersion.objects.filter(rule=SELF_PAY).count() == 1


def test_rules_page_lists_the_four_rules_with_current_parameters(client_for, county_supervisor):
    page = client_for(county_supervisor).get(reverse("alerts:rules")).content.decode()
    for label in ("医疗自付费用过高", "重特大疾病", "登记失业", "新增持证重度残疾"):
        assert label in page
    assert "10,000.00 元" in page and "30 个（其中儿童病种 3 个）" in page
    assert reverse("alerts:rule_edit", args=[SELF_PAY]) in page


def test_data_admin_sees_rules_and_nav_links_there(client_for, data_admin):
    page = client_for(data_admin).get(reverse("alerts:rules")).content.decode()
    assert f'href="{reverse("alerts:rules")}"' in page


def test_unknown_rule_is_404(client_for, city_supervisor):
    assert client_for(city_supervisor).get(reverse("alerts:rule_edit", args=["nope"])).status_code == 404


def test_preview_shows_counts_by_county_and_raises_nothing(client_for, city_supervisor):
    today = clock.today()
    for village in ("130921101201", "130984101201"):
        person = monitored_person(village=village)
        MedicalSettlementFactory(
            id_number=person.id_number, settle_date=today - timedelta(days=1), self_paid=Decimal("8000")
        )
    response = client_for(city_supervisor).post(
        reverse("alerts:rule_edit", args=[SELF_PAY]),
        self_pay_form(threshold_yuan="7999.99", action="preview"),
    )
    assert response.status_code == 200
    rows = {r["code"]: (r["draft"], r["current"]) for r in response.context["preview"]["rows"]}
    assert rows == {"130921": (1, 0), "130984": (1, 0)}
    assert not Alert.objects.exists() and RuleVersion.objects.filter(rule=SELF_PAY).count() == 1


def test_county_supervisor_previews_only_their_county(client_for, county_supervisor):
    today = clock.today()
    for village in ("130921101201", "130984101201"):
        person = monitored_person(village=village)
        MedicalSettlementFactory(id_number=person.id_number, settle_date=today, self_paid=Decimal("8000"))
    response = client_for(county_supervisor).post(
        reverse("alerts:rule_edit", args=[SELF_PAY]), self_pay_form(threshold_yuan="5000", action="preview")
    )
    assert [r["code"] for r in response.context["preview"]["rows"]] == ["130921"]


def test_save_makes_a_new_version_with_who_and_why(client_for, city_supervisor):
    response = client_for(city_supervisor).post(
        reverse("alerts:rule_edit", args=[SELF_PAY]),
        self_pay_form(threshold_yuan="12,000", action="save", note="按省厅新口径"),
    )
    assert response.status_code == 302 and response.url == reverse("alerts:rule_history", args=[SELF_PAY])
    v1, v2 = RuleVersion.objects.filter(rule=SELF_PAY).order_by("version")
    assert v1.params["threshold_yuan"] == "10000.00"  # the old version is untouched
    assert v2.version == 2 and v2.params == {
        "threshold_yuan": "12000.00",
        "window_days": 365,
        "cooldown_days": 365,
        "deadline_days": 15,
    }
    assert v2.created_by == city_supervisor and v2.note == "按省厅新口径"
    history = client_for(city_supervisor).get(response.url).content.decode()
    assert "按省厅新口径" in history and "第 2 版" in history


def test_save_needs_a_note(client_for, city_supervisor):
    response = client_for(city_supervisor).post(
        reverse("alerts:rule_edit", args=[SELF_PAY]), self_pay_form(action="save")
    )
    assert "保存新版本或提出建议需要填写修改说明" in response.content.decode()
    assert RuleVersion.objects.filter(rule=SELF_PAY).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("threshold_yuan", "一万", "阈值应为金额（元）"),
        ("threshold_yuan", "0", "阈值应在 1.00 到 1000000.00 元之间"),
        ("window_days", "0", "时间窗口应在 1 到 730 天之间"),
        ("cooldown_days", "半年", "冷却期应为整数天数"),
        ("deadline_days", "0", "办理期限应在 1 到 90 天之间，收到 0"),
        ("deadline_days", "一周", "办理期限应为整数天数（1–90）"),
        ("deadline_days", "", "必填项"),
    ],
)
def test_invalid_parameters_are_explained(client_for, city_supervisor, field, value, message):
    response = client_for(city_supervisor).post(
        reverse("alerts:rule_edit", args=[SELF_PAY]), self_pay_form(**{field: value}, action="save", note="x")
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RuleVersion.objects.filter(rule=SELF_PAY).count() == 1


def test_disease_list_round_trips_and_bad_lines_are_explained(client_for, city_supervisor):
    client = client_for(city_supervisor)
    url = reverse("alerts:rule_edit", args=["serious_disease"])
    initial = client.get(url).context["form"].initial["diseases"]
    assert (
        "D06 | 儿童白血病 | C91–C95 | 儿童" in initial and "D05 | 终末期肾病 | N18.5, N18.0, Z99.2" in initial
    )
    bad = client.post(
        url, {"window_days": "90", "deadline_days": "7", "diseases": "肺癌 | C3X", "action": "preview"}
    )
    assert "编码“C3X”无效" in bad.content.decode()
    bad = client.post(
        url, {"window_days": "90", "deadline_days": "7", "diseases": "肺癌 C34", "action": "preview"}
    )
    assert "第 1 行" in bad.content.decode()
    client.post(
        url,
        {
            "window_days": "60",
            "deadline_days": "7",
            "diseases": initial + "\n糖尿病 | E10–E14",
            "action": "save",
            "note": "加入糖尿病",
        },
    )
    latest = RuleVersion.objects.filter(rule="serious_disease").order_by("-version").first()
    assert latest.version == 2 and latest.params["window_days"] == 60
    added = latest.params["diseases"][-1]
    assert {k: v for k, v in added.items() if k != "key"} == {
        "name": "糖尿病",
        "codes": ["E10", "E11", "E12", "E13", "E14"],
        "child": False,
    }
    # A key of its own, past the defaults' D01–D30 (the sequence's number: never handed out again).
    assert added["key"].startswith("D") and int(added["key"][1:]) > 30
    assert (
        latest.params["diseases"][:30]
        == RuleVersion.objects.get(rule="serious_disease", version=1).params["diseases"]
    )


def test_admin_lists_versions_and_runs_read_only(client_for, city_supervisor, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw-12345678")
    client = client_for(admin)
    assert client.get(reverse("admin:alerts_ruleversion_changelist")).status_code == 200
    assert client.get(reverse("admin:alerts_monitoringrun_changelist")).status_code == 200
    version = RuleVersion.objects.get(rule=SELF_PAY, version=1)
    page = client.get(reverse("admin:alerts_ruleversion_change", args=[version.id])).content.decode()
    assert "threshold_yuan" in page and 'name="_save"' not in page
    assert client.get(reverse("admin:alerts_ruleversion_add")).status_code == 403


def test_deadline_is_a_rule_parameter_edited_and_shown_with_the_others(client_for, city_supervisor):
    client = client_for(city_supervisor)
    url = reverse("alerts:rule_edit", args=[SELF_PAY])
    form = client.get(url).content.decode()
    assert "办理期限（天）" in form and 'name="deadline_days"' in form and 'value="15"' in form
    response = client.post(url, self_pay_form(deadline_days="10", action="save", note="加快核查"))
    assert response.status_code == 302
    assert RuleVersion.objects.get(rule=SELF_PAY, version=2).params["deadline_days"] == 10
    rules = page_text(client.get(reverse("alerts:rules")))
    card = rules[rules.index("医疗自付费用过高") : rules.index("重特大疾病")]
    assert "办理期限 10 天" in card
    assert "办理期限 7 天" in rules[rules.index("重特大疾病") :]
    history = page_text(client.get(reverse("alerts:rule_history", args=[SELF_PAY])))
    assert "办理期限：10 天" in history and "办理期限：15 天" in history  # v2 and v1


def test_the_migration_records_the_deadline_old_versions_were_applied_with(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("alerts.migrations.0012_rule_deadline_days")
    RuleVersion.objects.all().delete()
    for rule, version in (
        ("serious_disease", 1),
        ("registered_unemployment", 1),
        ("registered_unemployment", 2),
    ):
        RuleVersion.objects.create(rule=rule, version=version, params={"window_days": 90})
    migration.record_deadlines(apps, None)
    assert dict(RuleVersion.objects.values_list("rule", "params__deadline_days").filter(version=1)) == {
        "serious_disease": 7,
        "registered_unemployment": 15,
    }
    assert RuleVersion.objects.get(rule="registered_unemployment", version=2).params == {
        "window_days": 90,
        "deadline_days": 15,
    }


def test_deadlines_are_no_longer_a_setting(settings):
    assert not hasattr(settings, "ALERT_DEADLINE_DAYS")
