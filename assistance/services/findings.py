"""信息核对: what the department feeds already hold about each member of an applying household.

The check is a registry (`SOURCES`): one definition per department feed, each turned into one
set-based `INSERT … SELECT … ON CONFLICT DO NOTHING` over the household's members, so a later feed
(pension, provident fund, vehicles, real estate, businesses, deaths) is one more entry here and one
more `FindingSource` value. Idempotency comes from the constraint `finding_one_per_record`: running
the check again adds only records that were not listed yet and never touches a confirmed finding.
"""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from assistance.models import (
    Application,
    ApplicationAction,
    Finding,
    FindingSource,
    FindingStatus,
    StepCode,
    StepLevel,
)
from households import clock
from households.models import Person
from imports.models import (
    CertificateStatus,
    Diagnosis,
    DisabilityCertificate,
    DisabilityGrade,
    DisabilityType,
    MedicalSettlement,
    UnemploymentRegistration,
    UnemploymentStatus,
    VisitType,
)

from .common import AssistanceError, can_act_at, load, require_open, write

# SQL fragments below see the feed row as `r` and these parameters: %(since)s < record date ≤
# %(until)s is the look-back window (dates from households.clock, never the server's CURRENT_DATE),
# and %(labels)s a JSON object of the Chinese labels of the feed's choices (`_labels`).
DAY = "to_char({}, 'YYYY-MM-DD')"
YUAN = "to_char({}, 'FM999,999,999,990.00')"


@dataclass(frozen=True)
class Source:
    """One department feed the check reads: which rows of a member count, and how each becomes a
    finding (its date, a short Chinese sentence, the money figure if there is one)."""

    code: str  # a FindingSource value
    model: type[models.Model]  # a FeedRecord: matched to members by id_number, with its batch
    occurred_on: str  # SQL: the record's date
    summary: str  # SQL: the sentence stored with the finding (stored data, so always Chinese)
    which: str  # SQL condition: the rows listed
    amount: str = "NULL"  # SQL: the money figure, in yuan
    labels: dict = field(default_factory=dict)  # {choices name: TextChoices/IntegerChoices}


SOURCES: list[Source] = [
    Source(
        code=FindingSource.SETTLEMENT,
        model=MedicalSettlement,
        occurred_on="r.settle_date",
        # "2026-03-02 沧县医院住院结算：总费用 12,300.00 元，个人负担 4,560.00 元"
        summary=(
            f"concat({DAY.format('r.settle_date')}, ' ', "
            "coalesce(nullif(r.institution || coalesce(%(labels)s::jsonb -> 'visit' ->> r.visit_type, ''), ''),"
            " '医保'), '结算：总费用 ', "
            f"{YUAN.format('r.total_cost')}, ' 元，个人负担 ', {YUAN.format('r.self_paid')}, ' 元')"
        ),
        which="r.settle_date > %(since)s AND r.settle_date <= %(until)s",
        amount="r.self_paid",
        labels={"visit": VisitType},
    ),
    Source(
        code=FindingSource.DIAGNOSIS,
        model=Diagnosis,
        occurred_on="r.diagnosed_on",
        # "2026-03-02 沧州市人民医院诊断：C34.901 肺恶性肿瘤"
        summary=(
            f"concat({DAY.format('r.diagnosed_on')}, ' ', r.institution, '诊断：', "
            "concat_ws(' ', r.diagnosis_code, nullif(r.diagnosis_name, '')))"
        ),
        which="r.diagnosed_on > %(since)s AND r.diagnosed_on <= %(until)s",
    ),
    Source(
        code=FindingSource.DISABILITY,
        model=DisabilityCertificate,
        occurred_on="r.issued_on",
        # "2019-05-10 核发残疾人证：肢体残疾二级（有效）" (never the certificate number: it holds the ID)
        summary=(
            f"concat({DAY.format('r.issued_on')}, ' 核发残疾人证：', "
            "%(labels)s::jsonb -> 'type' ->> r.disability_type::text, '残疾', "
            "%(labels)s::jsonb -> 'grade' ->> r.grade::text, '（', "
            "%(labels)s::jsonb -> 'status' ->> r.status, '）')"
        ),
        # A valid certificate matters however old it is; a cancelled one only when recent.
        which=(
            f"r.issued_on <= %(until)s AND (r.status = '{CertificateStatus.VALID}' OR r.issued_on > %(since)s)"
        ),
        labels={"type": DisabilityType, "grade": DisabilityGrade, "status": CertificateStatus},
    ),
    Source(
        code=FindingSource.UNEMPLOYMENT,
        model=UnemploymentRegistration,
        occurred_on="r.registered_on",
        # "2025-11-03 失业登记：登记失业" or "2025-11-03 失业登记：已就业（2026-02-01 结束）"
        summary=(
            f"concat({DAY.format('r.registered_on')}, ' 失业登记：', "
            "%(labels)s::jsonb -> 'status' ->> r.status, "
            f"CASE WHEN r.ended_on IS NULL THEN '' ELSE concat('（', {DAY.format('r.ended_on')}, ' 结束）') END)"
        ),
        # An open registration matters however old it is; a closed one when it began or ended recently.
        which=(
            "r.registered_on <= %(until)s AND ("
            f"(r.status = '{UnemploymentStatus.UNEMPLOYED}' AND (r.ended_on IS NULL OR r.ended_on > %(until)s))"
            " OR r.registered_on > %(since)s"
            " OR (r.ended_on > %(since)s AND r.ended_on <= %(until)s))"
        ),
        labels={"status": UnemploymentStatus},
    ),
]

INSERT = """
INSERT INTO {finding} (application_id, person_id, source, source_record_id, batch_id, occurred_on,
                       summary, amount, status, explanation)
SELECT %(application)s, p.id, %(source)s, r.id, r.batch_id, {occurred_on}, left({summary}, 300),
       {amount}, %(pending)s, ''
  FROM {person} p
  JOIN {feed} r ON r.id_number = p.id_number
 WHERE p.household_id = %(household)s AND ({which})
ON CONFLICT (application_id, source, source_record_id) DO NOTHING
"""


def _labels(source: Source) -> str:
    """The Chinese labels of the source's choices as JSON. Summaries are stored data and read the
    same whatever language the caseworker who opened the check was using."""
    with translation.override("zh-hans"):
        return json.dumps(
            {
                name: {str(value): str(label) for value, label in choices.choices}
                for name, choices in source.labels.items()
            },
            ensure_ascii=False,
        )


def _statement(source: Source) -> str:
    quote = connection.ops.quote_name
    return INSERT.format(
        finding=quote(Finding._meta.db_table),
        person=quote(Person._meta.db_table),
        feed=quote(source.model._meta.db_table),
        occurred_on=source.occurred_on,
        summary=source.summary,
        amount=source.amount,
        which=source.which,
    )


def _window(application: Application) -> tuple[date, date]:
    """(since, until]: FINDINGS_LOOKBACK_DAYS before the check step opened, up to today."""
    today = clock.today()
    step = application.current_step
    opened = (
        step.opened_on if step is not None and step.code == StepCode.INFO_CHECK and step.opened_on else today
    )
    return opened - timedelta(days=settings.FINDINGS_LOOKBACK_DAYS), today


def _collect(application: Application) -> tuple[dict[str, int], date, date]:
    since, until = _window(application)
    added = {}
    with connection.cursor() as cursor:
        for source in SOURCES:
            cursor.execute(
                _statement(source),
                {
                    "application": application.pk,
                    "household": application.household_id,
                    "source": str(source.code),
                    "pending": str(FindingStatus.PENDING),
                    "since": since,
                    "until": until,
                    "labels": _labels(source),
                },
            )
            added[str(source.code)] = cursor.rowcount
    return added, since, until


def _record(
    application: Application, *, actor, added: dict[str, int], since: date, until: date, refresh: bool
):
    total = sum(added.values())
    names = dict(FindingSource.choices)
    parts = [_("%(source)s %(n)s 条") % {"source": names[code], "n": n} for code, n in added.items() if n]
    note = (
        _("提取部门数据：新增 %(total)s 条核对结果（%(parts)s）。")
        % {"total": total, "parts": "，".join(parts)}
        if total
        else _("提取部门数据：未发现新的部门数据记录。")
    )
    return write(
        application,
        actor=actor,
        lock_version=application.lock_version,
        action=ApplicationAction.COLLECT_FINDINGS,
        step=application.current_step,
        note=note,
        data={
            "added": added,
            "total": total,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "refresh": refresh,
        },
    )


def findings_collect(*, application: Application, actor) -> int:
    """Snapshots, for every member of the household, the department records the check shows
    (settlements, diagnoses, disability certificates, unemployment registrations) as pending
    findings, and records an event saying how many per source. Set-based and idempotent (one finding
    per source record); the caller holds the application's row lock (`load(for_update=True)`) and
    has checked who may act. Returns how many findings were added."""
    added, since, until = _collect(application)
    _record(application, actor=actor, added=added, since=since, until=until, refresh=False)
    return sum(added.values())


@transaction.atomic
def findings_refresh(*, actor, application_id: int) -> int:
    """Collects again while 信息核对 is open (a feed arrived after the check opened): adds only the
    records not listed yet, keeps every confirmed or explained finding, records the event."""
    application = load(actor, application_id, for_update=True)
    step = require_open(application)
    if step.code != StepCode.INFO_CHECK:
        raise AssistanceError(_("只有在“信息核对”步骤办理中才能重新提取部门数据。"))
    if not can_act_at(actor, StepLevel.TOWN, application.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以提取部门数据。"))
    added, since, until = _collect(application)
    _record(application, actor=actor, added=added, since=since, until=until, refresh=True)
    return sum(added.values())
