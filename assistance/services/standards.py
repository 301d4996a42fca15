"""Writes of standards: a new standard is a new row (the database refuses any other change)."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from assistance.models import Program, Standard, StandardComponent


def standard_problem(
    *, program: Program, component: str, region_code: str, area_type: str, effective_from: date, effective_to
) -> str | None:
    """Why this new standard cannot be added (a Chinese sentence saying what is allowed), or None.

    The open standard of the same key (programme, component, region, area type) that began before
    `effective_from` is closed by `standard_add`; every other overlap is refused."""
    city = settings.CITY_REGION_CODE
    in_city = len(region_code) == 6 and region_code.isdigit() and region_code[:4] == city[:4]
    if not in_city:
        return _("适用区划代码须为本市代码 %(city)s 或本市某县（市、区）的6位代码。") % {"city": city}
    if effective_to is not None and effective_to < effective_from:
        return _("执行截止日不能早于执行起始日。")
    same = Standard.objects.filter(
        program=program, component=component, region_code=region_code, area_type=area_type
    )
    open_before = same.filter(effective_to__isnull=True, effective_from__lt=effective_from)
    others = same.exclude(pk__in=open_before.values("pk"))
    overlap = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
    if effective_to is not None:
        overlap = overlap.filter(effective_from__lte=effective_to)
    clash = overlap.order_by("effective_from").first()
    if clash is not None:
        return _(
            "该项目、区划和城乡类别已有 %(start)s 起执行的标准，执行期间不能重叠："
            "新标准须从现行标准起始日之后开始，或选择不重叠的期间。"
        ) % {"start": clash.effective_from.isoformat()}
    if effective_to is not None and open_before.exists():
        return _(
            "已有尚未截止的标准：新标准不设执行截止日时才能接续它（原标准自动截止到新标准起始日前一天）。"
        )
    return None


@transaction.atomic
def standard_add(
    *,
    program: Program,
    region_code: str,
    area_type: str,
    yearly_amount: Decimal,
    monthly_amount: Decimal,
    effective_from: date,
    document_number: str,
    created_by,
    component: str = StandardComponent.BASIC,
    effective_to: date | None = None,
    min_monthly_per_person: Decimal | None = None,
) -> Standard:
    """Adds a standard. The open standard of the same programme, component, region and area type
    that began earlier is closed the day before the new one begins (the only change the database
    allows to an existing row); any other overlap is refused with a ValidationError."""
    key = {"program": program, "component": component, "region_code": region_code, "area_type": area_type}
    # Serialise additions to the same key: two at once would both see the same open row.
    list(Standard.objects.select_for_update().filter(**key))
    problem = standard_problem(**key, effective_from=effective_from, effective_to=effective_to)
    if problem:
        raise ValidationError(problem)
    Standard.objects.filter(**key, effective_to__isnull=True, effective_from__lt=effective_from).update(
        effective_to=effective_from - timedelta(days=1)
    )
    return Standard.objects.create(
        **key,
        yearly_amount=yearly_amount,
        monthly_amount=monthly_amount,
        min_monthly_per_person=min_monthly_per_person,
        effective_from=effective_from,
        effective_to=effective_to,
        document_number=document_number,
        created_by=created_by,
    )
