"""Reads of programmes and standards (reference data: no region scoping, no personal data), the
amount of an application computed from them, and the findings of an application's 信息核对 per
member (for an application the caller has already loaded in the user's scope)."""

from datetime import date

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from assistance import amounts
from assistance.errors import AssistanceError
from assistance.models import CARE_COMPONENT, Finding, Program, ProgramKind, Standard, StandardComponent
from households.models import Person


def standard_in_force(
    program: Program, region_code: str, area_type: str, day: date, component: str = StandardComponent.BASIC
) -> Standard | None:
    """The standard of `program` in force on `day` for a household or person of `region_code` (any
    level: county, town or village code) and `area_type`: the county's own row when it has one,
    else the city's default; None when neither is in force that day (periods include both ends)."""
    county = region_code[:6]
    city = settings.CITY_REGION_CODE
    return (
        Standard.objects.filter(
            program=program,
            component=component,
            area_type=area_type,
            region_code__in={county, city},
            effective_from__lte=day,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .annotate(
            county_first=Case(
                When(region_code=city, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("county_first")
        .first()
    )


def dibao_program_for(area_type: str) -> Program:
    """The 低保 programme of an area type (城市低保 / 农村低保): its standard caps 临时救助."""
    return Program.objects.get(category="dibao", area_type=area_type)


def compute_amount(
    application,
    *,
    day: date,
    monthly_income_per_capita=None,
    members_covered=None,
    self_care_level: str = "",
    case_amount=None,
) -> amounts.Computation:
    """The amount of `application` by its programme's rule (DOMAIN.md "Amounts") from the standards
    in force on `day` for the household's region and area type. Raises AssistanceError (a Chinese
    message saying what to fill in) when an input or a standard is missing."""
    program = application.program
    household = application.household
    region, area = household.region_id, household.area_type

    def standard(prog, component=StandardComponent.BASIC):
        row = standard_in_force(prog, region, area, day, component)
        if row is None:
            raise AssistanceError(
                _(
                    "%(day)s 没有适用于该家庭（%(area)s）的“%(program)s”标准（%(component)s），请市级督导先录入标准。"
                )
                % {
                    "day": day.isoformat(),
                    "area": household.get_area_type_display(),
                    "program": prog.name,
                    "component": StandardComponent(component).label,
                }
            )
        return row

    if program.category == "dibao":
        if monthly_income_per_capita is None or monthly_income_per_capita < 0 or not members_covered:
            raise AssistanceError(_("请填写家庭月人均收入（不小于0）和保障人数（至少1人）。"))
        return amounts.dibao_monthly(
            standard(program), per_capita_income=monthly_income_per_capita, members=members_covered
        )
    if program.category == "tekun":
        if self_care_level not in CARE_COMPONENT:
            raise AssistanceError(_("请选择生活自理能力（全自理、半失能或全失能）。"))
        return amounts.tekun_monthly(
            standard(program),
            standard(program, CARE_COMPONENT[self_care_level]),
            self_care_level=self_care_level,
        )
    if program.kind != ProgramKind.ONE_OFF:
        raise AssistanceError(_("“%(program)s”为认定类项目，不核定救助金额。") % {"program": program.name})
    if case_amount is None or case_amount <= 0:
        raise AssistanceError(_("请填写救助金额（大于0元）。"))
    if program.code == "hardship_fund":
        return amounts.special_fund(committee_amount=case_amount)
    return amounts.temporary_aid(standard(dibao_program_for(area)), case_amount=case_amount)


def findings_by_member(application) -> list[tuple[Person, list[Finding]]]:
    """The findings of the check grouped per person: the household's members (head first, then in
    the order they were registered), each with their findings (possibly none), then anyone who has
    findings but has left the household since. The caller has loaded `application` in scope."""
    findings = list(
        Finding.objects.filter(application=application)
        .select_related("person", "batch", "confirmed_by")
        .order_by("person_id", "source", "occurred_on", "id")
    )
    groups: dict[int, tuple[Person, list[Finding]]] = {
        person.pk: (person, [])
        for person in Person.objects.filter(household_id=application.household_id).head_first()
    }
    for finding in findings:
        groups.setdefault(finding.person_id, (finding.person, []))[1].append(finding)
    return list(groups.values())
