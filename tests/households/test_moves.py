"""Moving a household to another village, or a person to another household: every copy follows."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts.models import Alert, AlertEvent, AlertStatus, HomeVisit, Responsibility
from alerts.selectors.inbox import InboxFilters, inbox_queryset
from households import clock, moves
from households.models import Household, HouseholdMove, Person, PersonMove, Relation, Role
from monitoring.models import MonitoringRecord, MonitoringRecordHistory
from tests.alerts.triage_factories import visit_for
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B
from tests.factories import (
    AlertFactory,
    MonitoringRecordFactory,
    PersonFactory,
    UserFactory,
    household_with_head,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(caseworker_a, caseworker_b, data_admin):
    """A household of village A (head and child, both monitored) with an assigned, a verifying
    (visited), a new and a closed alert; the towns' caseworkers are responsible for their towns."""
    Responsibility.objects.create(region=region(TOWN_A), caseworker=caseworker_a)
    Responsibility.objects.create(region=region(TOWN_B), caseworker=caseworker_b)
    home = household_with_head(VILLAGE_A)
    head = home.members.get()
    child = PersonFactory(household=home, relation=Relation.CHILD)
    for person in (head, child):
        MonitoringRecordFactory(person=person)
    assigned = AlertFactory(person=head, status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    verifying = AlertFactory(person=child, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    visit = visit_for(verifying, caseworker_a)
    new = AlertFactory(person=child)
    closed = AlertFactory(
        person=head,
        status=AlertStatus.CLOSED,
        assignee=caseworker_a,
        outcome="data_error",
        closed_at=clock.now(),
    )
    closed_visit = visit_for(closed, caseworker_a)
    neighbour = AlertFactory(
        status=AlertStatus.ASSIGNED, assignee=caseworker_a
    )  # another household of village A
    return {
        "home": home,
        "head": head,
        "child": child,
        "open": [assigned, verifying, new],
        "assigned": assigned,
        "verifying": verifying,
        "new": new,
        "visit": visit,
        "closed": closed,
        "closed_visit": closed_visit,
        "neighbour": neighbour,
    }


def fresh(obj):
    obj.refresh_from_db()
    return obj


def test_household_move_brings_every_copy_along_and_open_alerts_to_the_new_caseworker(
    world, caseworker_a, caseworker_b, data_admin, client_for
):
    move = moves.household_move(
        actor=data_admin, household_id=world["home"].pk, region_code=VILLAGE_B, reason="易地搬迁"
    )

    assert fresh(world["home"]).region_id == VILLAGE_B
    assert (move.from_region_id, move.to_region_id, move.moved_by, move.reason) == (
        VILLAGE_A,
        VILLAGE_B,
        data_admin,
        "易地搬迁",
    )
    for person in (world["head"], world["child"]):
        record = MonitoringRecord.objects.get(person=person)
        assert record.region_code == VILLAGE_B
        history = record.history.get()
        assert (history.changed_by, history.before["region_code"], history.after["region_code"]) == (
            data_admin,
            VILLAGE_A,
            VILLAGE_B,
        )
    for alert in world["open"]:
        alert = fresh(alert)
        assert (alert.region_id, alert.assignee) == (VILLAGE_B, caseworker_b)
        event = alert.events.get(action="move")
        assert event.actor == data_admin and "易地搬迁" in event.note and VILLAGE_B in event.note
    assert fresh(world["assigned"]).status == AlertStatus.ASSIGNED
    assert fresh(world["verifying"]).status == AlertStatus.VERIFYING  # the verification goes on
    assert fresh(world["new"]).status == AlertStatus.ASSIGNED
    assert fresh(world["new"]).events.get(action="move").from_status == AlertStatus.NEW

    closed = fresh(world["closed"])
    assert (closed.region_id, closed.assignee, closed.status) == (VILLAGE_A, caseworker_a, AlertStatus.CLOSED)
    assert not closed.events.filter(action="move").exists()
    assert fresh(world["neighbour"]).region_id == VILLAGE_A

    # The new town's caseworker has them in their inbox and can open them; the old one cannot.
    moved_ids = {a.pk for a in world["open"]}
    mine_b = set(
        inbox_queryset(user=caseworker_b, filters=InboxFilters(mine=True))[0].values_list("pk", flat=True)
    )
    mine_a = set(
        inbox_queryset(user=caseworker_a, filters=InboxFilters(mine=True))[0].values_list("pk", flat=True)
    )
    assert moved_ids <= mine_b and not moved_ids & mine_a
    detail = reverse("alerts:alert_detail", args=[world["assigned"].pk])
    assert client_for(caseworker_b).get(detail).status_code == 200
    client = client_for(caseworker_a)
    assert client.get(detail).status_code == 404
    assert client.get(reverse("alerts:alert_detail", args=[world["closed"].pk])).status_code == 200


def test_open_alerts_wait_in_the_new_area_queue_when_nobody_is_responsible_there(world, data_admin):
    Responsibility.objects.filter(region_id=TOWN_B).delete()
    moves.household_move(
        actor=data_admin, household_id=world["home"].pk, region_code=VILLAGE_B, reason="搬迁"
    )
    for alert in world["open"]:
        alert = fresh(alert)
        assert (alert.region_id, alert.status, alert.assignee) == (VILLAGE_B, AlertStatus.NEW, None)


def test_a_failure_midway_undoes_the_whole_move(world, data_admin, monkeypatch):
    def broken_hook(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(moves, "_HOOKS", [*moves._HOOKS, broken_hook])  # after every real copy was updated
    with pytest.raises(RuntimeError):
        moves.household_move(
            actor=data_admin, household_id=world["home"].pk, region_code=VILLAGE_B, reason="搬迁"
        )

    assert fresh(world["home"]).region_id == VILLAGE_A
    assert set(
        MonitoringRecord.objects.filter(household=world["home"]).values_list("region_code", flat=True)
    ) == {VILLAGE_A}
    assert {fresh(a).region_id for a in world["open"]} == {VILLAGE_A}
    assert not HouseholdMove.objects.exists() and not AlertEvent.objects.filter(action="move").exists()
    assert not MonitoringRecordHistory.objects.exists()


def test_moves_are_refused_with_a_reason_outside_scope_to_a_non_village_or_without_a_reason(world, regions):
    town_admin = UserFactory(username="data_admin_town", role=Role.DATA_ADMIN, scope=region(TOWN_A))
    home = world["home"].pk
    cases = [
        (town_admin, VILLAGE_B, "搬迁", "不在您的管辖范围内"),  # the target is outside the actor's town
        (town_admin, TOWN_A, "搬迁", "只能迁入村（社区）"),
        (town_admin, TOWN_A + "202", "", "请填写迁移原因"),
    ]
    for actor, target, reason, message in cases:
        region(target)
        with pytest.raises(ValidationError, match=message):
            moves.household_move(actor=actor, household_id=home, region_code=target, reason=reason)
    outsider = UserFactory(username="data_admin_hejian", role=Role.DATA_ADMIN, scope=region("130984"))
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):  # the source is outside their county
        moves.household_move(
            actor=outsider, household_id=home, region_code=OTHER_COUNTY_VILLAGE, reason="搬迁"
        )
    assert fresh(world["home"]).region_id == VILLAGE_A and not HouseholdMove.objects.exists()


def test_person_move_takes_their_record_open_alerts_and_visits_to_the_new_household(
    world, caseworker_a, caseworker_b, data_admin
):
    target = household_with_head(VILLAGE_B, name="王五")
    child = world["child"]

    move = moves.person_move(
        actor=data_admin,
        person_id=child.pk,
        household_id=target.pk,
        relation=Relation.SPOUSE,
        reason="结婚迁入",
    )

    child = fresh(child)
    assert (child.household, child.relation) == (target, Relation.SPOUSE)
    assert (move.from_household, move.to_household, move.from_relation, move.to_relation) == (
        world["home"],
        target,
        Relation.CHILD,
        Relation.SPOUSE,
    )
    record = MonitoringRecord.objects.get(person=child)
    assert (record.household, record.region_code) == (target, VILLAGE_B)
    for alert in (world["verifying"], world["new"]):
        alert = fresh(alert)
        assert (alert.household, alert.region_id, alert.assignee) == (target, VILLAGE_B, caseworker_b)
    assert fresh(world["visit"]).household == target
    # The head stays, and so do the head's alerts.
    assert fresh(world["assigned"]).region_id == VILLAGE_A
    assert MonitoringRecord.objects.get(person=world["head"]).region_code == VILLAGE_A
    assert fresh(world["closed_visit"]).household == world["home"]


def test_person_move_keeps_one_head_per_household(world, data_admin):
    target = household_with_head(VILLAGE_B)
    with pytest.raises(ValidationError, match="不能单独迁出"):
        moves.person_move(
            actor=data_admin, person_id=world["head"].pk, household_id=target.pk, relation="child", reason="x"
        )
    with pytest.raises(ValidationError, match="只有身份证号等于该家庭户主身份证号的人才能是户主"):
        moves.person_move(
            actor=data_admin, person_id=world["child"].pk, household_id=target.pk, relation="head", reason="x"
        )
    assert fresh(world["child"]).household == world["home"] and not PersonMove.objects.exists()


def change_form_data(response) -> dict:
    """The admin change form's current values as POST data (main form and inline formsets)."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None and value is not False:
                data[form.add_prefix(name)] = getattr(value, "pk", value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_the_household_admin_moves_through_the_service(world, data_admin, caseworker_b, client_for):
    client = client_for(data_admin)
    url = reverse("admin:households_household_change", args=[world["home"].pk])
    data = {**change_form_data(client.get(url)), "region": VILLAGE_B}

    refused = client.post(url, {**data, "move_reason": ""})
    assert refused.status_code == 200 and "请填写迁移原因" in refused.content.decode()
    assert fresh(world["home"]).region_id == VILLAGE_A

    response = client.post(url, {**data, "move_reason": "易地搬迁", "address": "新村1号"})
    assert response.status_code == 302
    home = fresh(world["home"])
    assert (home.region_id, home.address) == (VILLAGE_B, "新村1号")
    assert HouseholdMove.objects.get().reason == "易地搬迁"
    assert "易地搬迁" in client.get(url).content.decode()  # the move history on the household's page
    assert fresh(world["assigned"]).assignee == caseworker_b
    assert set(MonitoringRecord.objects.filter(household=home).values_list("region_code", flat=True)) == {
        VILLAGE_B
    }


def test_the_household_admin_refuses_a_target_the_user_cannot_see(world, client_for):
    county_admin = UserFactory(username="data_admin_county", role=Role.DATA_ADMIN, scope=region("130921"))
    client = client_for(county_admin)
    url = reverse("admin:households_household_change", args=[world["home"].pk])
    data = {**change_form_data(client.get(url)), "region": OTHER_COUNTY_VILLAGE, "move_reason": "搬迁"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert fresh(world["home"]).region_id == VILLAGE_A and not HouseholdMove.objects.exists()


def test_the_person_admin_moves_through_the_service(world, data_admin, caseworker_b, client_for):
    target = household_with_head(VILLAGE_B)
    client = client_for(data_admin)
    url = reverse("admin:households_person_change", args=[world["child"].pk])
    data = {**change_form_data(client.get(url)), "household": target.pk, "relation": Relation.GRANDCHILD}

    response = client.post(url, {**data, "move_reason": "随祖父母生活"})
    assert response.status_code == 302
    child = fresh(world["child"])
    assert (child.household, child.relation) == (target, Relation.GRANDCHILD)
    assert PersonMove.objects.get().moved_by == data_admin
    assert fresh(world["new"]).assignee == caseworker_b

    head_url = reverse("admin:households_person_change", args=[world["head"].pk])
    head_data = {**change_form_data(client.get(head_url)), "household": target.pk, "relation": "child"}
    refused = client.post(head_url, {**head_data, "move_reason": "x"})
    assert refused.status_code == 200 and "不能单独迁出" in refused.content.decode()
    assert fresh(world["head"]).household == world["home"]


def test_editing_other_fields_is_no_move(world, data_admin, client_for):
    client = client_for(data_admin)
    url = reverse("admin:households_household_change", args=[world["home"].pk])
    response = client.post(url, {**change_form_data(client.get(url)), "address": "旧村2号"})
    assert response.status_code == 302
    assert fresh(world["home"]).address == "旧村2号" and not HouseholdMove.objects.exists()
    assert Household.objects.filter(pk=world["home"].pk, region_id=VILLAGE_A).exists()
    assert Alert.objects.filter(events__action="move").count() == 0
    assert HomeVisit.objects.filter(household=world["home"]).count() == 2
    assert Person.objects.filter(household=world["home"]).count() == 2


def test_the_person_admin_keeps_the_head_rule_when_only_the_relation_changes(world, data_admin, client_for):
    client = client_for(data_admin)
    url = reverse("admin:households_person_change", args=[world["child"].pk])
    response = client.post(url, {**change_form_data(client.get(url)), "relation": Relation.HEAD})
    assert (
        response.status_code == 200
        and "只有身份证号等于该家庭户主身份证号的人才能是户主" in response.content.decode()
    )
    assert fresh(world["child"]).relation == Relation.CHILD
