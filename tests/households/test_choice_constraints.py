"""The database refuses what SQL could write outside the choices: CHECK constraints on every choice
column that raw SQL writes, one head per household, amounts never negative (FEEDS.md)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from alerts.models import AlertEvent, DashboardSummary, MonitoringRun, SelfPayState
from households.constraints import refuse_rows_breaking
from households.models import Relation
from imports.models import FeedRecordChange, RosterEntry
from imports.specs import SPECS
from tests.alerts.feed_factories import (
    DisabilityCertificateFactory,
    ImportBatchFactory,
    MedicalSettlementFactory,
    UnemploymentRegistrationFactory,
)
from tests.factories import (
    AlertFactory,
    HouseholdFactory,
    MonitoringRecordFactory,
    PersonFactory,
    make_id_number,
    region,
    rule_version,
)

pytestmark = pytest.mark.django_db


def refused(table: str, column: str, value, row) -> bool:
    """Whether the database refuses what a raw SQL statement (the loader, the run, bulk triage)
    could write into `row`, bypassing Django."""
    assert row._meta.db_table == table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE {table} SET "{column}" = %s WHERE "{row._meta.pk.column}" = %s', [value, row.pk]
            )
    except IntegrityError:
        return True
    return False


def roster_entry():
    head = make_id_number()
    return RosterEntry.objects.create(
        id_number=head,
        name="张三",
        batch=ImportBatchFactory(category="roster"),
        household_id_number=head,
        relation="head",
        region_code="130921101201",
        area_type="rural",
        category="dibao",
        since="2024-01-01",
    )


def event():
    return AlertEvent.objects.create(alert=AlertFactory(), action="raised", to_status="new")


ROWS = {
    "region": lambda: region("130921101299"),
    "household": HouseholdFactory,
    "person": PersonFactory,
    "monitoringrecord": MonitoringRecordFactory,
    "monitoringspell": lambda: MonitoringRecordFactory().person.monitoring_spells.get(),
    "alert": AlertFactory,
    "alertevent": event,
    "monitoringrun": lambda: MonitoringRun.objects.create(as_of="2027-02-28", status="succeeded"),
    "dashboardsummary": lambda: DashboardSummary.objects.create(
        as_of="2027-02-28", node="1309", measure="raised", count=1
    ),
    "medsettle": MedicalSettlementFactory,
    "disability": DisabilityCertificateFactory,
    "unemployment": UnemploymentRegistrationFactory,
    "rosterentry": roster_entry,
    "feedrecordchange": lambda: FeedRecordChange.objects.create(
        batch=ImportBatchFactory(category="roster"), category="roster", key="k", before={}, after={}
    ),
}


# (row kind, table, column, a value outside the choices, a value inside them)
CASES = [
    ("region", "households_region", "level", "province", "village"),
    ("household", "households_household", "area_type", "城市", "urban"),
    ("person", "households_person", "sex", "X", "F"),
    ("person", "households_person", "relation", "户主", "other"),
    ("monitoringrecord", "monitoring_monitoringrecord", "category", "低保", "tekun"),
    ("monitoringrecord", "monitoring_monitoringrecord", "status", "paused", "active"),
    ("monitoringspell", "monitoring_monitoringspell", "category", "低保", "tekun"),
    ("alert", "alerts_alert", "rule", "unknown_rule", "serious_disease"),
    ("alert", "alerts_alert", "status", "open", "new"),
    ("alert", "alerts_alert", "outcome", "approved", "not_eligible"),
    ("alertevent", "alerts_alertevent", "action", "delete", "move"),
    ("alertevent", "alerts_alertevent", "from_status", "open", ""),
    ("alertevent", "alerts_alertevent", "to_status", "done", "assigned"),
    ("monitoringrun", "alerts_monitoringrun", "status", "done", "failed"),
    ("dashboardsummary", "alerts_dashboardsummary", "measure", "visits", "closed"),
    ("dashboardsummary", "alerts_dashboardsummary", "rule", "unknown_rule", "serious_disease"),
    ("medsettle", "imports_medicalsettlement", "visit_type", "住院", ""),
    ("disability", "imports_disabilitycertificate", "disability_type", 8, 7),
    ("disability", "imports_disabilitycertificate", "status", "有效", "cancelled"),
    ("unemployment", "imports_unemploymentregistration", "status", "登记失业", "employed"),
    ("rosterentry", "imports_rosterentry", "relation", "户主", "head"),
    ("rosterentry", "imports_rosterentry", "area_type", "农村", "urban"),
    ("rosterentry", "imports_rosterentry", "category", "低保", "tekun"),
    ("rosterentry", "imports_rosterentry", "status", "在册", "active"),
    ("feedrecordchange", "imports_feedrecordchange", "category", "pensions", "diagnosis"),
]


@pytest.mark.parametrize(
    ("kind", "table", "column", "bad", "good"), CASES, ids=[f"{c[1]}.{c[2]}" for c in CASES]
)
def test_choice_columns_refuse_values_outside_their_choices(cangzhou, kind, table, column, bad, good):
    row = ROWS[kind]()
    assert refused(table, column, bad, row)
    assert not refused(table, column, good, row)


AMOUNTS = [
    ("medsettle", "imports_medicalsettlement", "fund_paid"),
    ("medsettle", "imports_medicalsettlement", "serious_illness_paid"),
    ("medsettle", "imports_medicalsettlement", "assistance_paid"),
    ("rosterentry", "imports_rosterentry", "household_annual_income"),
]


@pytest.mark.parametrize(("kind", "table", "column"), AMOUNTS, ids=[a[2] for a in AMOUNTS])
def test_amounts_are_never_negative(cangzhou, kind, table, column):
    """FEEDS.md: negative amounts are rejected (no feed carries refunds); the database agrees."""
    row = ROWS[kind]()
    assert refused(table, column, Decimal("-0.01"), row)
    assert not refused(table, column, Decimal("0.00"), row)


def test_self_pay_state_upper_bound_is_never_negative(cangzhou):
    person = PersonFactory()
    state = SelfPayState.objects.create(
        person=person,
        id_number=person.id_number,
        rule_version=rule_version("high_medical_self_pay"),
        as_of="2027-02-28",
        total_upper=Decimal("10"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfPayState.objects.filter(pk=state.pk).update(total_upper=Decimal("-1"))
    SelfPayState.objects.filter(pk=state.pk).update(total_upper=Decimal("0"))


def test_a_household_has_one_head(cangzhou):
    household = HouseholdFactory()
    PersonFactory(household=household, relation=Relation.HEAD)
    other = PersonFactory(household=household, relation=Relation.CHILD)
    assert refused("households_person", "relation", "head", other)
    PersonFactory(household=HouseholdFactory(), relation=Relation.HEAD)  # each household its own head
    assert not refused("households_person", "relation", "spouse", other)


def test_every_code_a_feed_spec_writes_is_allowed_by_its_table(cangzhou):
    """The loader writes spec codes with SQL: a code the table's CHECK refused would fail every load."""
    for spec in SPECS.values():
        model = spec.model_class
        for field in spec.fields:
            if not field.choices or not field.stored:
                continue
            names = {c.name for c in model._meta.constraints}
            if "disability_grade_1_to_4" in names and field.name == "grade":
                assert {c.code for c in field.choices} <= {1, 2, 3, 4}
                continue
            constraint = next(c for c in model._meta.constraints if c.name.endswith(f"_{field.name}_valid"))
            allowed = set(dict(constraint.condition.children)[f"{field.name}__in"])
            assert {c.code for c in field.choices} <= allowed, (spec.category, field.name)


def test_the_migration_refuses_existing_rows_that_break_a_new_check(cangzhou):
    """Rows written before the constraints existed stop the migration, named, instead of vanishing."""
    loader = MigrationLoader(connection)
    migration = loader.get_migration("households", "0005_choice_and_amount_checks")
    adds = [op for op in migration.operations if hasattr(op, "constraint")]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE households_household DROP CONSTRAINT household_area_type_valid")
        household = HouseholdFactory()  # after the DDL: no pending foreign-key checks on the table
        cursor.execute("UPDATE households_household SET area_type = '城市' WHERE id = %s", [household.pk])
    state = loader.project_state(("households", "0005_choice_and_amount_checks"))
    with (
        connection.schema_editor(atomic=False) as editor,
        pytest.raises(RuntimeError, match=r"households_household: 1 rows break household_area_type_valid"),
    ):
        refuse_rows_breaking("households", adds)(state.apps, editor)
