"""The monthly lists to medical insurance: list and produce, one version, download, sent, acknowledged.

Data admins only (the role's permissions); every list is city- or county-wide and fetched inside
the user's scope (outside: 404). The views check access, read the form and call one service.
"""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from assistance import selectors_exchanges as selectors
from assistance.errors import AssistanceError
from assistance.services import exchanges as services
from households import clock, idcard
from households.decorators import permission_required
from households.models import Person
from households.readlog import services as readlog
from households.readlog.models import ReadAction
from households.scoping import region_in_scope
from households.web.headers import attachment_disposition

view_access = permission_required(
    "assistance.view_medicalinsurancelist", gettext_lazy("医保资助参保名单仅向数据管理员开放")
)
add_access = permission_required(
    "assistance.add_medicalinsurancelist", gettext_lazy("只有数据管理员可以生成医保资助参保名单")
)
change_access = permission_required(
    "assistance.change_medicalinsurancelist", gettext_lazy("只有数据管理员可以登记名单的报送和确认")
)
PREVIEW_ROWS = 50
PAGE_MONTHS = 36


def _month(value: str) -> date | None:
    """`YYYY-MM` → the month's first day; None for anything else."""
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@require_GET
@login_required
@view_access
def medical_list_list(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    overdue = selectors.overdue_medical_lists(user=request.user, today=today)
    context = {
        "lists": selectors.medical_lists(request.user)[:PAGE_MONTHS],
        "overdue_ids": {o.latest.pk for o in overdue if o.latest},
        "overdue": overdue,
        "regions": [r for r in services.list_regions() if region_in_scope(request.user, r.code)],
        "default_period": services.previous_month(today).strftime("%Y-%m"),
        "can_produce": request.user.has_perm("assistance.add_medicalinsurancelist"),
        "due_day": settings.MEDICAL_LIST_DUE_DAY,
    }
    return render(request, "assistance/exchanges/list.html", context)


@require_POST
@login_required
@add_access
def medical_list_produce(request: HttpRequest) -> HttpResponse:
    period = _month(request.POST.get("period", ""))
    region_code = request.POST.get("region", "")
    if period is None:
        messages.error(request, _("所属月份格式应为“年-月”，例如 2027-02。"))
        return redirect("assistance:medical_list_list")
    if not region_in_scope(request.user, region_code):
        messages.error(request, _("只能生成本人管辖区域的名单。"))
        return redirect("assistance:medical_list_list")
    try:
        medical_list, created = services.medical_list_produce(
            period=period, region_code=region_code, actor=request.user
        )
    except AssistanceError as exc:
        messages.error(request, exc.message)
        return redirect("assistance:medical_list_list")
    if created:
        messages.success(request, _("已生成第%(version)s版名单。") % {"version": medical_list.version})
    else:
        messages.info(
            request, _("名单内容没有变化，仍为第%(version)s版。") % {"version": medical_list.version}
        )
    return redirect("assistance:medical_list_detail", pk=medical_list.pk)


@require_GET
@login_required
@view_access
def medical_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    medical_list = selectors.medical_list_get(user=request.user, pk=pk)
    header, *rows = services.csv_rows(medical_list.csv_content)
    preview = [[idcard.mask(row[0]), *row[1:]] for row in rows[:PREVIEW_ROWS]]
    overdue = selectors.overdue_medical_lists(user=request.user, today=clock.today())
    context = {
        "list": medical_list,
        "versions": selectors.medical_list_versions(medical_list),
        "header": header,
        "preview": preview,
        "row_count": len(rows),
        "is_overdue": any(o.latest and o.latest.pk == medical_list.pk for o in overdue),
        "can_change": request.user.has_perm("assistance.change_medicalinsurancelist"),
        "today": clock.today(),
    }
    return render(request, "assistance/exchanges/detail.html", context)


@require_GET
@login_required
@view_access
def medical_list_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The version's file with full IDs (an exchange between departments), logged with its people."""
    medical_list = selectors.medical_list_get(user=request.user, pk=pk)
    as_xlsx = request.GET.get("format") == "xlsx"
    rows = services.csv_rows(medical_list.csv_content)[1:]
    people = Person.objects.filter(id_number__in=[r[0] for r in rows]).values_list("pk", "household_id")
    stem = f"{medical_list.period:%Y%m}-{medical_list.region_id}-v{medical_list.version}"
    extension = "xlsx" if as_xlsx else "csv"
    filename = _("医保资助参保名单-%(stem)s.%(ext)s") % {"stem": stem, "ext": extension}
    readlog.note(
        request,
        ReadAction.DOWNLOAD,
        person_ids=[p for p, _h in people],
        household_ids=[h for _p, h in people],
        file=filename,
        row_count=len(rows),
    )
    if as_xlsx:
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(services.xlsx_bytes(medical_list), content_type=content_type)
    else:
        response = HttpResponse(bytes(medical_list.csv_content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment_disposition(
        filename, ascii_filename=f"medical-list-{stem}.{extension}"
    )
    return response


@require_POST
@login_required
@change_access
def medical_list_send(request: HttpRequest, pk: int) -> HttpResponse:
    medical_list = selectors.medical_list_get(user=request.user, pk=pk)
    try:
        services.medical_list_send(actor=request.user, list_id=medical_list.pk)
    except AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记报送。"))
    return redirect("assistance:medical_list_detail", pk=medical_list.pk)


@require_POST
@login_required
@change_access
def medical_list_ack(request: HttpRequest, pk: int) -> HttpResponse:
    medical_list = selectors.medical_list_get(user=request.user, pk=pk)
    try:
        on = date.fromisoformat(request.POST.get("acknowledged_on", "").strip())
    except ValueError:
        messages.error(request, _("请填写对方确认日期（年-月-日）。"))
        return redirect("assistance:medical_list_detail", pk=medical_list.pk)
    try:
        services.medical_list_acknowledge(
            actor=request.user, list_id=medical_list.pk, note=request.POST.get("note", ""), on=on
        )
    except AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记对方确认。"))
    return redirect("assistance:medical_list_detail", pk=medical_list.pk)
