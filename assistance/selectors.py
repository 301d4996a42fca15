"""Reads of programmes and standards (reference data: no region scoping, no personal data)."""

from datetime import date

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When

from assistance.models import Program, Standard, StandardComponent


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
