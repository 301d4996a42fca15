"""Factories for department feed rows (the run's input) and a monitored person to attach them to."""

from datetime import date
from decimal import Decimal

import factory
import pytest
from factory.django import DjangoModelFactory

from households import clock
from imports.models import (
    CertificateStatus,
    Diagnosis,
    DisabilityCertificate,
    FeedCategory,
    MedicalSettlement,
    UnemploymentRegistration,
    UnemploymentStatus,
)
from tests.factories import HouseholdFactory, MonitoringRecordFactory, PersonFactory, make_id_number, region
from tests.imports.factories import BatchFactory


class ImportBatchFactory(BatchFactory):
    """A batch that finished just now."""

    finished_at = factory.LazyFunction(clock.now)


def _batch(category):
    return factory.LazyFunction(lambda: ImportBatchFactory(category=category))


class MedicalSettlementFactory(DjangoModelFactory):
    class Meta:
        model = MedicalSettlement

    id_number = factory.LazyFunction(make_id_number)
    name = "测试"
    batch = _batch(FeedCategory.MEDICAL_SETTLEMENT)
    settlement_id = factory.Sequence(lambda n: f"JS{n:010d}")
    settle_date = date(2026, 3, 2)
    institution = "沧州市人民医院"
    visit_type = "inpatient"
    diagnosis_code = "I10"
    diagnosis_name = "原发性高血压"
    total_cost = factory.LazyAttribute(lambda o: o.self_paid * 3)
    self_paid = Decimal("1000.00")


class DiagnosisFactory(DjangoModelFactory):
    class Meta:
        model = Diagnosis

    id_number = factory.LazyFunction(make_id_number)
    name = "测试"
    batch = _batch(FeedCategory.DIAGNOSIS)
    record_id = factory.Sequence(lambda n: f"ZD{n:010d}")
    diagnosed_on = date(2026, 3, 2)
    diagnosis_code = "C34.901"
    diagnosis_name = "肺恶性肿瘤"


class DisabilityCertificateFactory(DjangoModelFactory):
    class Meta:
        model = DisabilityCertificate

    id_number = factory.LazyFunction(make_id_number)
    name = "测试"
    batch = _batch(FeedCategory.DISABILITY_CERTIFICATE)
    # As the federation writes them: the ID, the type digit, the grade digit (+ a reissue suffix).
    certificate_no = factory.LazyAttribute(lambda o: f"{o.id_number}{o.disability_type}{o.grade}{o.suffix}")
    disability_type = 4
    grade = 2
    issued_on = date(2026, 3, 2)
    status = CertificateStatus.VALID

    class Params:
        suffix = ""


class UnemploymentRegistrationFactory(DjangoModelFactory):
    class Meta:
        model = UnemploymentRegistration

    id_number = factory.LazyFunction(make_id_number)
    name = "测试"
    batch = _batch(FeedCategory.UNEMPLOYMENT_REGISTRATION)
    registration_no = factory.Sequence(lambda n: f"SY{n:010d}")
    registered_on = date(2026, 3, 2)
    status = UnemploymentStatus.UNEMPLOYED


def monitored_person(
    *,
    born: date = date(1970, 1, 1),
    since: date = date(2024, 1, 1),
    exit_date: date | None = None,
    village: str = "130921101201",
    household=None,
    annual_income=None,
):
    """A person under monitoring (household in 沧县 旧州镇 by default) whose ID encodes `born`."""
    id_number = make_id_number(born=born)
    if household is None:
        household = HouseholdFactory(
            head_id_number=id_number, region=region(village), annual_income=annual_income
        )
        relation = "head"
    else:
        relation = "child"
    person = PersonFactory(household=household, id_number=id_number, relation=relation)
    MonitoringRecordFactory(
        person=person, since=since, status="exited" if exit_date else "active", exit_date=exit_date
    )
    return person


@pytest.fixture
def rule_defaults(db):
    """Version 1 of every rule, even after a transactional test emptied what the migration seeded."""
    from alerts.services.rules import ensure_default_rule_versions

    ensure_default_rule_versions()


def self_pay_form(**overrides) -> dict:
    """The rule edit form of the self-pay rule as posted, with its default parameters."""
    data = {
        "threshold_yuan": "10000",
        "window_days": "365",
        "cooldown_days": "365",
        "deadline_days": "15",
        "note": "",
    }
    return {**data, **overrides}
