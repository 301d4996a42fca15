"""What a rule counts as "the same thing" (issue #14, rule identities): a disability certificate is
its first 20 characters, a serious disease is its key (not its name), and an unemployment
registration counts while it had not ended by the as-of date."""

import io
from datetime import date, timedelta
from importlib import import_module

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from alerts.models import Alert, RuleVersion
from alerts.services.rules import rule_proposal_create, rule_version_create
from alerts.services.run import monitoring_run
from tests.alerts.feed_factories import (  # noqa: F401
    DiagnosisFactory,
    DisabilityCertificateFactory,
    ImportBatchFactory,
    MedicalSettlementFactory,
    UnemploymentRegistrationFactory,
    monitored_person,
    rule_defaults,
)
from tests.factories import AlertFactory

AS_OF = date(2026, 11, 20)
DISABILITY, SERIOUS, UNEMPLOYMENT = "new_severe_disability", "serious_disease", "registered_unemployment"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


def alerts_of(person, rule: str) -> list[Alert]:
    return list(Alert.objects.filter(person=person, rule=rule).order_by("id"))


# --- 1. a disability certificate is its first 20 characters --------------------------------------


def test_a_reissued_card_is_the_same_certificate_and_raises_no_second_alert(regions):
    person = monitored_person()
    card = DisabilityCertificateFactory(
        id_number=person.id_number, grade=2, issued_on=AS_OF - timedelta(days=80)
    )
    monitoring_run(as_of=AS_OF)
    # Reissued weeks later (the first card out of the window by then), with a suffix.
    later = AS_OF + timedelta(days=20)
    monitoring_run(as_of=later - timedelta(days=1))  # the night before: tonight's baseline
    reissued = DisabilityCertificateFactory(id_number=person.id_number, grade=2, suffix="B1", issued_on=later)
    assert reissued.certificate_no[:20] == card.certificate_no and reissued.pk != card.pk
    for day, mode in ((later, "incremental"), (later + timedelta(days=1), "full")):
        run = monitoring_run(as_of=day, mode=mode)
        assert run.counts["modes"][DISABILITY] == mode
        assert run.counts["rules"][DISABILITY] == {"candidates": 1, "new": 0, "already_alerted": 1}
    [alert] = alerts_of(person, DISABILITY)
    assert alert.dedupe_key == card.certificate_no
    assert alert.evidence["values"]["certificate_no"] == card.certificate_no


def test_two_cards_of_one_certificate_in_one_night_raise_one_alert_on_the_first(regions):
    person = monitored_person()
    first = DisabilityCertificateFactory(
        id_number=person.id_number, grade=1, issued_on=AS_OF - timedelta(days=40)
    )
    DisabilityCertificateFactory(
        id_number=person.id_number, grade=1, suffix="B1", issued_on=AS_OF - timedelta(days=3)
    )
    run = monitoring_run(as_of=AS_OF)
    [alert] = alerts_of(person, DISABILITY)
    assert alert.evidence["sources"][0]["key"] == first.certificate_no
    assert run.counts["rules"][DISABILITY] == {"candidates": 1, "new": 1, "already_alerted": 0}


def test_a_regrade_is_a_new_certificate_and_raises_one(regions):
    person = monitored_person()
    # 三级 (not severe): no alert; regraded to 二级, character 20 changes: a new certificate.
    DisabilityCertificateFactory(id_number=person.id_number, grade=3, issued_on=AS_OF - timedelta(days=60))
    monitoring_run(as_of=AS_OF - timedelta(days=10))
    assert alerts_of(person, DISABILITY) == []
    second = DisabilityCertificateFactory(
        id_number=person.id_number, grade=2, issued_on=AS_OF - timedelta(days=2)
    )
    monitoring_run(as_of=AS_OF)
    # 二级 → 一级: another new certificate, another alert.
    first = DisabilityCertificateFactory(
        id_number=person.id_number, grade=1, issued_on=AS_OF + timedelta(days=1)
    )
    monitoring_run(as_of=AS_OF + timedelta(days=1))
    assert [a.dedupe_key for a in alerts_of(person, DISABILITY)] == [
        second.certificate_no,
        first.certificate_no,
    ]
    assert "二级肢体残疾" in alerts_of(person, DISABILITY)[0].evidence["summary"]


def test_migration_rewrites_old_certificate_keys_to_20_characters(regions):
    migration = import_module("alerts.migrations.0017_certificate_dedupe_keys")
    person, other, third = monitored_person(), monitored_person(), monitored_person()
    base = f"{person.id_number}42"
    early = AlertFactory(person=person, rule=DISABILITY, dedupe_key=base + "B1", raised_on=AS_OF)
    late = AlertFactory(
        person=person, rule=DISABILITY, dedupe_key=base + "B2", raised_on=AS_OF + timedelta(days=3)
    )
    # A certificate whose 20-character key is already held keeps the holder; the long one stays.
    held = AlertFactory(person=other, rule=DISABILITY, dedupe_key=f"{other.id_number}41", raised_on=AS_OF)
    long_ = AlertFactory(person=other, rule=DISABILITY, dedupe_key=f"{other.id_number}41B1", raised_on=AS_OF)
    plain = AlertFactory(person=third, rule=DISABILITY, dedupe_key=f"{third.id_number}11C", raised_on=AS_OF)
    with connection.cursor() as cursor:
        cursor.execute(migration.REWRITE)
    keys = {a.pk: a.dedupe_key for a in Alert.objects.all()}
    assert keys[early.pk] == base and keys[late.pk] == base + "B2"
    assert keys[held.pk] == f"{other.id_number}41" and keys[long_.pk] == f"{other.id_number}41B1"
    assert keys[plain.pk] == f"{third.id_number}11"
    # A later card of a rewritten certificate raises nothing new.
    DisabilityCertificateFactory(
        id_number=person.id_number, grade=2, suffix="B3", issued_on=AS_OF + timedelta(days=4)
    )
    monitoring_run(as_of=AS_OF + timedelta(days=4))
    assert len(alerts_of(person, DISABILITY)) == 2


# --- 2. a serious disease keeps its identity across list versions --------------------------------


def edit_disease_list(client, change) -> None:
    """Save a new version of the disease list through the rule editor, as a supervisor would."""
    url = reverse("alerts:rule_edit", args=[SERIOUS])
    text = client.get(url).context["form"].initial["diseases"]
    response = client.post(
        url,
        {
            "window_days": "90",
            "deadline_days": "7",
            "diseases": change(text),
            "action": "save",
            "note": "改名",
        },
    )
    assert response.status_code == 302, response.content.decode()


def test_a_renamed_disease_does_not_alert_again_and_a_new_one_does(regions, client_for, city_supervisor):
    person = monitored_person()
    DiagnosisFactory(
        id_number=person.id_number, diagnosed_on=AS_OF - timedelta(days=5), diagnosis_code="C34.1"
    )
    monitoring_run(as_of=AS_OF)
    [lung] = alerts_of(person, SERIOUS)
    # Version 2: 肺癌 renamed (its line keeps its key D08), and 糖尿病 added (no key: a new one).
    assert (
        "D08 | 肺癌 | C33, C34"
        in client_for(city_supervisor)
        .get(reverse("alerts:rule_edit", args=[SERIOUS]))
        .context["form"]
        .initial["diseases"]
    )
    edit_disease_list(
        client_for(city_supervisor),
        lambda text: text.replace("D08 | 肺癌 |", "D08 | 肺恶性肿瘤 |") + "\n糖尿病 | E10–E14",
    )
    v2 = RuleVersion.objects.filter(rule=SERIOUS).latest("version")
    by_name = {d["name"]: d["key"] for d in v2.params["diseases"]}
    assert by_name["肺恶性肿瘤"] == "D08" and "肺癌" not in by_name
    assert by_name["糖尿病"] not in {f"D{n:02d}" for n in range(1, 31)}
    # A new qualifying record of the renamed disease, and one of the new disease.
    later = AS_OF + timedelta(days=10)
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=later, diagnosis_code="C34.9")
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=later, diagnosis_code="E11.9")
    run = monitoring_run(as_of=later)
    assert run.counts["rules"][SERIOUS]["new"] == 1
    first, diabetes = alerts_of(person, SERIOUS)
    assert first == lung and lung.evidence["values"]["disease"] == "肺癌"  # the name when raised
    assert diabetes.evidence["values"]["disease"] == "糖尿病"
    assert diabetes.dedupe_key == f"{person.pk}:{by_name['糖尿病']}"


def test_disease_keys_are_never_handed_out_twice(regions, city_supervisor, county_supervisor):
    base = RuleVersion.objects.get(rule=SERIOUS, version=1).params
    proposal = rule_proposal_create(
        rule=SERIOUS,
        params={**base, "diseases": [*base["diseases"], {"name": "糖尿病", "codes": ["E11"]}]},
        user=county_supervisor,
        note="建议",
    )
    saved = rule_version_create(
        rule=SERIOUS,
        params={**base, "diseases": [*base["diseases"], {"name": "高血压", "codes": ["I10"]}]},
        user=city_supervisor,
        note="加入高血压",
    )
    proposed_key = proposal.params["diseases"][-1]["key"]
    saved_key = saved.params["diseases"][-1]["key"]
    assert proposed_key != saved_key
    # Removing a disease and adding another later: the new one never inherits the removed one's key.
    without = [d for d in saved.params["diseases"] if d["name"] != "高血压"]
    again = rule_version_create(
        rule=SERIOUS,
        params={**base, "diseases": [*without, {"name": "心力衰竭", "codes": ["I50"]}]},
        user=city_supervisor,
        note="换病种",
    )
    assert again.params["diseases"][-1]["key"] not in {proposed_key, saved_key}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("D08 | 肺癌 | C34\nD08 | 胃癌 | C16", "病种编号 D08 出现了不止一次"),
        ("D999 | 肺癌 | C34", "病种编号 D999 不存在"),
        ("D8 | 肺癌 | C34", "编号“D8”无效"),
    ],
)
def test_the_editor_refuses_duplicate_unknown_and_malformed_keys(
    regions, client_for, city_supervisor, lines, message
):
    response = client_for(city_supervisor).post(
        reverse("alerts:rule_edit", args=[SERIOUS]),
        {"window_days": "90", "deadline_days": "7", "diseases": lines, "action": "save", "note": "试"},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert RuleVersion.objects.filter(rule=SERIOUS).count() == 1


def test_migration_keys_old_versions_and_rewrites_old_alerts(regions, city_supervisor):
    from django.apps import apps

    migration = import_module("alerts.migrations.0018_disease_keys")
    person = monitored_person()
    RuleVersion.objects.filter(rule=SERIOUS).delete()
    unkeyed = [
        {"name": "肺癌", "codes": ["C33", "C34"], "child": False},
        {"name": "糖尿病", "codes": ["E11"], "child": False},
    ]
    for n in (1, 2):
        RuleVersion.objects.create(
            rule=SERIOUS, version=n, params={"window_days": 90, "deadline_days": 7, "diseases": unkeyed}
        )
    lung = AlertFactory(person=person, rule=SERIOUS, dedupe_key=f"{person.pk}:肺癌")
    sugar = AlertFactory(person=person, rule=SERIOUS, dedupe_key=f"{person.pk}:糖尿病")
    with connection.schema_editor() as editor:
        migration.key_diseases(apps, editor)
    keyed = [v.params["diseases"] for v in RuleVersion.objects.filter(rule=SERIOUS).order_by("version")]
    assert keyed[0] == keyed[1]  # the same name has the same key in every version
    keys = {d["name"]: d["key"] for d in keyed[0]}
    assert keys["肺癌"] == "D08" and int(keys["糖尿病"][1:]) > 30
    lung.refresh_from_db()
    sugar.refresh_from_db()
    assert (lung.dedupe_key, sugar.dedupe_key) == (f"{person.pk}:D08", f"{person.pk}:{keys['糖尿病']}")
    # The rewritten alerts hold: a new record of either disease raises nothing.
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF, diagnosis_code="C34.1")
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF, diagnosis_code="E11.9")
    monitoring_run(as_of=AS_OF)
    assert len(alerts_of(person, SERIOUS)) == 2


# --- 3. "child" diseases and a 29 February birthday ----------------------------------------------


@pytest.mark.parametrize(("event", "alerted"), [(date(2026, 2, 28), True), (date(2026, 3, 1), False)])
def test_a_child_disease_and_a_29_february_birthday(regions, event, alerted):
    """Born 29 February 2008: still 17 on 28 February 2026 (a non-leap year), 18 on 1 March."""
    person = monitored_person(born=date(2008, 2, 29))
    MedicalSettlementFactory(id_number=person.id_number, settle_date=event, diagnosis_code="C92.0")
    monitoring_run(as_of=date(2026, 3, 10))
    assert [a.evidence["values"]["disease"] for a in alerts_of(person, SERIOUS)] == (
        ["儿童白血病"] if alerted else []
    )
    assert person.age_on(event) == (17 if alerted else 18)


# --- 4. an unemployment registration counts if it had not ended by the as-of date ----------------


def test_a_past_as_of_run_counts_registrations_ended_since_whatever_their_status(regions):
    people = [monitored_person() for _ in range(5)]
    registered = AS_OF - timedelta(days=10)
    reg = UnemploymentRegistrationFactory
    employed_later = reg(
        id_number=people[0].id_number,
        registered_on=registered,
        status="employed",
        ended_on=AS_OF + timedelta(days=3),
    )
    cancelled_later = reg(
        id_number=people[1].id_number,
        registered_on=registered,
        status="cancelled",
        ended_on=AS_OF + timedelta(days=1),
    )
    reg(
        id_number=people[2].id_number, registered_on=registered, status="employed", ended_on=AS_OF
    )  # ended by as_of
    reg(id_number=people[3].id_number, registered_on=registered, status="cancelled")  # ended, no date
    open_ = reg(id_number=people[4].id_number, registered_on=registered)  # 登记失业, no end
    # The past night run again from the command line (as an operator would after a late file).
    out = io.StringIO()
    call_command("run_monitoring", "--as-of", AS_OF.isoformat(), "--mode", "full", stdout=out)
    keys = set(Alert.objects.filter(rule=UNEMPLOYMENT).values_list("dedupe_key", flat=True))
    assert keys == {employed_later.registration_no, cancelled_later.registration_no, open_.registration_no}
    alert = Alert.objects.get(dedupe_key=employed_later.registration_no)
    assert f"截至 {AS_OF.isoformat()} 仍为登记失业" in alert.evidence["summary"]
    # The night after the end: nothing new, and nothing raised twice.
    monitoring_run(as_of=AS_OF + timedelta(days=3), mode="full")
    assert Alert.objects.filter(rule=UNEMPLOYMENT).count() == 3


def test_an_incremental_night_sees_a_late_file_of_registrations_that_have_ended_since(regions):
    person, other = monitored_person(), monitored_person()
    monitoring_run(as_of=AS_OF - timedelta(days=1), mode="full")
    # Tonight's file (a batch finished after the baseline) holds a registration of last week that
    # has ended by now, after tonight's as-of date — and one that ended before it.
    batch = ImportBatchFactory(category="unemployment_registration")
    counted = UnemploymentRegistrationFactory(
        id_number=person.id_number,
        batch=batch,
        registered_on=AS_OF - timedelta(days=7),
        status="employed",
        ended_on=AS_OF + timedelta(days=2),
    )
    UnemploymentRegistrationFactory(
        id_number=other.id_number,
        batch=batch,
        registered_on=AS_OF - timedelta(days=7),
        status="employed",
        ended_on=AS_OF - timedelta(days=1),
    )
    run = monitoring_run(as_of=AS_OF)
    assert run.counts["modes"][UNEMPLOYMENT] == "incremental"
    assert list(Alert.objects.filter(rule=UNEMPLOYMENT).values_list("dedupe_key", flat=True)) == [
        counted.registration_no
    ]
