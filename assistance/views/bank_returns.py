"""What comes back from the bank: the return file's upload from a locked roll and its accounting,
the failed payments still to be paid again, a household's payments (an htmx fragment).

Views check access (scoped fetch: out of the user's region is 404) and call one service or selector."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from assistance import selectors_bank_returns as selectors
from assistance.errors import AssistanceError
from assistance.models import RollStatus
from assistance.services.bank_returns import roll_return_submit
from households.decorators import login_required_htmx, permission_required
from households.selectors import household_get
from imports import selectors as import_selectors
from imports.forms import UploadForm
from imports.loading import limits
from imports.models import BatchStatus

roll_change = permission_required(
    "assistance.change_paymentroll", gettext_lazy("银行回盘文件由县级或市级主管导入")
)
roll_view = permission_required("assistance.view_paymentroll", gettext_lazy("发放花名册仅向主管开放"))
line_view = permission_required("assistance.view_paymentline", gettext_lazy("发放明细仅向经办人和主管开放"))


class ReturnUploadForm(forms.Form):
    """The bank's return file (the same file rules as every department file)."""

    file = UploadForm.base_fields["file"]

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if too_large:  # the size handler dropped the file: say why it is missing
            self.fields["file"].error_messages["required"] = limits.file_too_large_message()

    clean_file = UploadForm.clean_file


@require_http_methods(["GET", "POST"])
@login_required
@roll_change
def roll_return_upload(request: HttpRequest, pk: int) -> HttpResponse:
    roll = selectors.roll_get(user=request.user, pk=pk)
    data, files = request.POST, request.FILES
    too_large = any(getattr(h, "refused", False) for h in request.upload_handlers)
    form = ReturnUploadForm(data or None, files or None, too_large=too_large)
    if request.method == "POST" and roll.status == RollStatus.LOCKED and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            submission = roll_return_submit(
                actor=request.user, roll=roll, fileobj=upload, file_name=upload.name
            )
        except AssistanceError as exc:
            messages.error(request, exc.message)
            return redirect("assistance:roll_return_upload", pk=roll.pk)
        batch = submission.batch
        if submission.resubmitted:
            when = f"{timezone.localtime(batch.created_at):%Y-%m-%d %H:%M}"
            text = _("该回盘文件已于 %(when)s 导入（批次 #%(id)s），未做任何更改。")
            messages.warning(request, text % {"when": when, "id": batch.pk})
        return redirect("assistance:roll_return_detail", pk=batch.pk)
    context = {"roll": roll, "form": form, "locked": roll.status == RollStatus.LOCKED}
    return render(request, "assistance/bank_returns/upload.html", context)


@require_GET
@login_required
@roll_view
def roll_return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = selectors.return_result_get(user=request.user, batch_pk=pk)
    batch = result.batch
    context = {
        "result": result,
        "batch": batch,
        "succeeded": batch.status == BatchStatus.SUCCEEDED,
        "in_progress": batch.in_progress,
        "unmatched": list(result.unmatched.all()[: import_selectors.PREVIEW_ROWS]),
        "rejected": import_selectors.rejected_preview(batch=batch) if batch.rejected else [],
        "upload_url": reverse("assistance:roll_return_upload", args=[result.roll_id])
        if result.roll_id
        else "",
    }
    return render(request, "assistance/bank_returns/detail.html", context)


@require_GET
@login_required
@line_view
def payment_failures(request: HttpRequest) -> HttpResponse:
    county = request.GET.get("county", "")
    town = request.GET.get("town", "")
    county = county if county.isdigit() and len(county) == 6 else ""
    town = town if town.isdigit() and len(town) == 9 and town.startswith(county) else ""
    counties, towns = selectors.filter_regions(user=request.user, county=county)
    lines = list(
        selectors.open_failures(user=request.user, region=town or county)[: selectors.FAILURES_SHOWN + 1]
    )
    context = {
        "lines": lines[: selectors.FAILURES_SHOWN],
        "more": len(lines) > selectors.FAILURES_SHOWN,
        "counties": counties,
        "towns": towns,
        "county": county,
        "town": town,
    }
    return render(request, "assistance/bank_returns/failures.html", context)


@require_GET
@login_required_htmx(page=lambda request, pk: reverse("households:detail", args=[pk]))
@line_view
def household_payments(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    payments = selectors.household_payments(household=household)
    context = {"household": household, "payments": payments}
    return render(request, "assistance/bank_returns/_household_payments.html", context)
