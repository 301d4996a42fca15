"""Payment pages: the county rolls (list, compute, detail, lock, the finance export), a recipient's
account and a correction. Views check access with scoped fetches (out of scope is 404) and call
one service, which checks roles and regions again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistance import selectors_rolls as selectors
from assistance.errors import AssistanceError
from assistance.forms_payments import AccountForm, AdjustmentForm, LineFilterForm, RollComputeForm
from assistance.models import Grant, RollStatus
from assistance.roll_export import export_lines, roll_csv, roll_xlsx
from assistance.services import rolls as services
from households import clock
from households.decorators import permission_required
from households.models import Person, Region, RegionLevel
from households.readlog import services as readlog
from households.readlog.models import ReadAction
from households.scoping import get_in_scope_or_404, scope_queryset
from households.web.headers import attachment_disposition

view_access = permission_required("assistance.view_paymentroll", gettext_lazy("发放花名册仅向督导开放"))
change_access = permission_required(
    "assistance.change_paymentroll", gettext_lazy("只有县（市、区）或市级督导可以生成和锁定发放花名册")
)
account_access = permission_required(
    "assistance.change_paymentaccount", gettext_lazy("只有经办人和督导可以登记发放账户")
)
adjustment_access = permission_required(
    "assistance.add_paymentadjustment", gettext_lazy("只有督导可以登记补发更正")
)


def _error(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_GET
@login_required
@view_access
def roll_list(request: HttpRequest) -> HttpResponse:
    counties = selectors.managed_counties(user=request.user)
    form = RollComputeForm(counties=counties, initial={"month": clock.today().strftime("%Y-%m")})
    context = {"rolls": selectors.roll_list(user=request.user)[:120], "form": form, "counties": counties}
    return render(request, "assistance/payments/roll_list.html", context)


@require_POST
@login_required
@change_access
def roll_compute(request: HttpRequest) -> HttpResponse:
    form = RollComputeForm(request.POST, counties=selectors.managed_counties(user=request.user))
    if not form.is_valid():
        _error(request, form)
        return redirect("assistance:roll_list")
    try:
        roll = services.roll_compute(
            actor=request.user, county_code=form.cleaned_data["county"], month=form.cleaned_data["month"]
        )
    except AssistanceError as exc:
        messages.error(request, exc.message)
        return redirect("assistance:roll_list")
    messages.success(request, _("已生成花名册：%(n)s 条明细。") % {"n": roll.line_count})
    return redirect("assistance:roll_detail", pk=roll.pk)


@require_GET
@login_required
@view_access
def roll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roll = selectors.roll_get(user=request.user, pk=pk)
    filters = LineFilterForm(request.GET)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    before = request.GET.get("before", "")
    lines, next_before = selectors.line_page(
        user=request.user,
        roll=roll,
        status=data.get("status", ""),
        town=data.get("town") or "",
        before=before,
    )
    towns = scope_queryset(
        Region.objects.filter(level=RegionLevel.TOWN, parent_id=roll.county_id), request.user, "code"
    )
    manages = services.may_manage_rolls(request.user, roll.county_id)
    context = {
        "roll": roll,
        "summary": selectors.roll_summary(user=request.user, roll=roll),
        "stops": selectors.roll_stops(roll, user=request.user),
        "lines": lines,
        "next_before": next_before,
        "filters": filters,
        "towns": towns,
        "can_lock": manages and roll.status == RollStatus.DRAFT,
        "can_export": manages and roll.status == RollStatus.LOCKED,
        "can_adjust": request.user.has_perm("assistance.add_paymentadjustment"),
    }
    return render(request, "assistance/payments/roll_detail.html", context)


@require_POST
@login_required
@change_access
def roll_lock(request: HttpRequest, pk: int) -> HttpResponse:
    roll = selectors.roll_get(user=request.user, pk=pk)
    try:
        version = int(request.POST.get("lock_version", ""))
        services.roll_lock(actor=request.user, roll_id=roll.pk, lock_version=version)
    except ValueError:
        messages.error(request, _("请从花名册页面锁定"))
    except AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("花名册已锁定，可以导出给财政部门。"))
    return redirect("assistance:roll_detail", pk=roll.pk)


@require_GET
@login_required
@view_access
def roll_export(request: HttpRequest, pk: int) -> HttpResponse:
    roll = selectors.roll_get(user=request.user, pk=pk)
    if not services.may_manage_rolls(request.user, roll.county_id):
        raise PermissionDenied(_("只有本县（市、区）或市级督导可以导出花名册"))
    if roll.status != RollStatus.LOCKED:
        messages.error(request, _("花名册锁定后才能导出"))
        return redirect("assistance:roll_detail", pk=roll.pk)
    xlsx = request.GET.get("format", "xlsx") != "csv"
    lines = export_lines(roll)
    stem = _("%(county)s%(month)s发放花名册") % {
        "county": roll.county.name,
        "month": roll.month.strftime("%Y%m"),
    }
    ascii_stem = f"roll-{roll.county_id}-{roll.month:%Y%m}"
    ext = "xlsx" if xlsx else "csv"
    readlog.note(
        request,
        ReadAction.DOWNLOAD,
        person_ids=[x.recipient_id for x in lines],
        household_ids=[x.household_id for x in lines],
        file=f"{stem}.{ext}",
        row_count=len(lines),
    )
    if xlsx:
        body = roll_xlsx(lines, roll.month.strftime("%Y-%m"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = roll_csv(lines), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(
        f"{stem}.{ext}", ascii_filename=f"{ascii_stem}.{ext}"
    )
    return response


@require_http_methods(["GET", "POST"])
@login_required
@account_access
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_in_scope_or_404(
        Person.objects.select_related("household"), request.user, "household__region__code", pk=pk
    )
    current = getattr(person, "payment_account", None)
    form = AccountForm(
        request.POST or None,
        initial={"kind": current.kind, "bank_name": current.bank_name} if current else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_set(actor=request.user, person=person, **form.cleaned_data)
        except AssistanceError as exc:
            form.add_error("account_no", exc.message)
        else:
            messages.success(request, _("已登记 %(name)s 的发放账户。") % {"name": person.name})
            return redirect("households:detail", pk=person.household_id)
    context = {"person": person, "current": current, "form": form}
    return render(
        request, "assistance/payments/account_edit.html", context, status=400 if form.errors else 200
    )


@require_POST
@login_required
@adjustment_access
def adjustment_add(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_in_scope_or_404(Grant.objects.all(), request.user, "region__code", pk=pk)
    form = AdjustmentForm(request.POST)
    back = request.POST.get("next", "")
    if not form.is_valid():
        _error(request, form)
    else:
        try:
            services.adjustment_add(actor=request.user, grant_id=grant.pk, **form.cleaned_data)
        except AssistanceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记补发更正，将在下次生成的花名册中发放。"))
    if back.isdigit():
        return redirect("assistance:roll_detail", pk=int(back))
    return redirect("households:detail", pk=grant.household_id)
