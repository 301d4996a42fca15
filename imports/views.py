"""The data admin's import pages: upload, batch list, batch report, live progress, rejects CSV,
rows to correct."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from households import clock
from households.decorators import login_required_htmx
from households.pagination import page_before
from households.readlog import services as readlog
from households.readlog.models import ReadAction
from households.signin.idle import not_user_activity
from households.web.headers import attachment_disposition
from imports import selectors
from imports.corrections import correction_count, rows_to_correct, writes_csv
from imports.feed_guide import category_guides, template_workbook
from imports.forms import UploadForm
from imports.models import BatchStatus, FeedCategory
from imports.progress import batch_progress
from imports.rejects import rejected_rows_csv
from imports.services import batch_submit, loader_gone

PAGE_SIZE = 50


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    qs = selectors.batch_list(user=request.user, category=category, status=status)
    before = request.GET.get("before", "")
    page, next_before = page_before(qs, before, PAGE_SIZE)
    context = {
        "batches": [(b, selectors.batch_figures(b)) for b in page],
        "category": category,
        "status": status,
        "categories": FeedCategory.choices,
        "statuses": BatchStatus.choices,
        "next_before": next_before,
        "first_page": not before.isdigit(),  # a bad cursor shows the first page, as page_before does
    }
    return render(request, "imports/batch_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def batch_upload(request: HttpRequest) -> HttpResponse:
    selectors.require_import_access(request.user)
    # Parse the body first: the size handler (settings.FILE_UPLOAD_HANDLERS) decides while it arrives.
    data, files = request.POST, request.FILES
    too_large = any(getattr(h, "refused", False) for h in request.upload_handlers)
    form = UploadForm(
        data or None,
        files or None,
        too_large=too_large,
        initial={"category": request.GET.get("category", "")},  # ?category=…: chosen, its columns shown
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        submission = batch_submit(
            category=form.cleaned_data["category"],
            fileobj=upload,
            file_name=upload.name,
            user=request.user,
        )
        batch = submission.batch
        if submission.interrupted:
            text = _("该文件此前的导入（批次 #%(id)s）因进程中断而未完成，已重新开始导入。")
            messages.warning(request, text % {"id": batch.pk})
        elif submission.resubmitted:
            when = f"{timezone.localtime(batch.created_at):%Y-%m-%d %H:%M}"
            if batch.status == BatchStatus.SUCCEEDED:
                text = _("该文件已于 %(when)s 导入（批次 #%(id)s），未做任何更改。")
            else:
                text = _("该文件已于 %(when)s 上传（批次 #%(id)s），正在导入，未重复提交。")
            messages.warning(request, text % {"when": when, "id": batch.pk})
        else:
            batch.refresh_from_db(fields=["status"])  # tasks run eagerly (tests): already loaded
            if batch.in_progress:
                text = _("文件已上传（批次 #%(id)s），正在排队导入。")
            else:
                text = _("文件已上传并处理完毕（批次 #%(id)s），结果如下。")
            messages.success(request, text % {"id": batch.pk})
        return redirect("imports:batch_detail", pk=batch.pk)
    context = {"form": form, "guides": category_guides()}
    return render(request, "imports/batch_upload.html", context)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def feed_template(request: HttpRequest, category: str) -> HttpResponse:
    """A category's blank .xlsx template with one example row: for whoever may upload."""
    selectors.require_import_access(request.user)
    if category not in FeedCategory.values:
        raise Http404
    data = template_workbook(category, region_code=selectors.example_county_code(), today=clock.today())
    response = HttpResponse(data, content_type=XLSX)
    name = _("%(label)s-导入模板.xlsx") % {"label": FeedCategory(category).label}
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    context = {
        "batch": batch,
        "figures": selectors.batch_figures(batch),
        "in_progress": batch.in_progress,
        "stalled": batch.status == BatchStatus.RUNNING and loader_gone(batch.pk),
        "progress": batch_progress(batch),
        "preview": selectors.rejected_preview(batch=batch) if batch.rejected else [],
        "reasons": selectors.rejection_reasons(batch=batch) if batch.rejected else [],
        "preview_limit": selectors.PREVIEW_ROWS,
        "mismatches": selectors.name_mismatches(batch=batch) if batch.name_mismatch else [],
        "corrections": selectors.corrections(batch=batch) if batch.corrected else [],
        "raw_file_retention_days": settings.RAW_FILE_RETENTION_DAYS,
    }
    if batch.rejected and selectors.can_download_rows_to_correct(request.user):
        count = correction_count(batch)
        context["rows_to_correct"] = count
        context["rows_to_correct_left_out"] = batch.rejected - count
        context["rows_to_correct_format"] = "CSV" if writes_csv(batch) else "Excel .xlsx"
    return render(request, "imports/batch_detail.html", context)


@not_user_activity  # polled by the page itself: it must not keep an idle session alive
@login_required_htmx(page=lambda request, pk: reverse("imports:batch_detail", args=[pk]))
def batch_progress_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx every second; once the load ended the page reloads."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    progress = batch_progress(batch)
    if progress.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "imports/_batch_progress.html", {"batch": batch, "progress": progress})


@login_required
def batch_rejects_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    readlog.note(request, ReadAction.REJECTS_REPORT, batch_id=batch.pk, row_count=batch.rejected)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in rejected_rows_csv(batch)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("批次%(id)s-被拒绝的行.csv") % {"id": batch.pk}
    )
    return response


@login_required
def batch_rows_to_correct(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The rejected rows as the file had them (full IDs), to fix and upload again; data admins only."""
    batch = selectors.batch_for_correction(user=request.user, pk=pk)
    download = rows_to_correct(batch)
    readlog.note(
        request,
        ReadAction.ROWS_TO_CORRECT,
        batch_id=batch.pk,
        row_count=download.row_count,
        file=download.filename,
    )
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = attachment_disposition(
        download.filename, ascii_filename=download.ascii_filename
    )
    return response
