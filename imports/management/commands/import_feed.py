"""`manage.py import_feed <category> <path>`: load a department file and print its summary.

Exits with status 1 when the file itself is rejected (nothing changed), 2 when the load failed.
The same file again loads nothing twice, but a batch of it left running by a process that died
(kill -9) is loaded again here.
"""

import logging
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from imports import services
from imports.loading import limits
from imports.loading.reasons import reason_label
from imports.models import BatchStatus, FeedCategory


class Command(BaseCommand):
    help = "导入一个部门数据文件（.csv/.txt/.xlsx/.xls/.ods）并打印导入结果"

    def add_arguments(self, parser):
        parser.add_argument("category", choices=FeedCategory.values)
        parser.add_argument("path")
        parser.add_argument("--user", help="记为上传人的用户名")

    def handle(self, *args, category, path, user=None, **options):
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        uploader = None
        if user:
            uploader = get_user_model().objects.filter(username=user).first()
            if uploader is None:
                raise CommandError(_("用户不存在：%(user)s") % {"user": user})
        if options.get("verbosity", 1) >= 2:
            # Per-step timings of the loader (staging, validate, merge …).
            handler = logging.StreamHandler(self.stdout)
            handler.setFormatter(logging.Formatter("  %(message)s"))
            engine_logger = logging.getLogger("imports.loading.engine")
            engine_logger.addHandler(handler)
            engine_logger.setLevel(logging.INFO)
            engine_logger.propagate = False
        size = file_path.stat().st_size
        if size > limits.current().max_file_bytes:
            # Refused before the file is copied into the media folder or hashed.
            self.stderr.write(limits.file_too_large_message(size))
            raise SystemExit(1)
        started = time.monotonic()
        with file_path.open("rb") as fileobj:
            submission = services.batch_submit(
                category=category, fileobj=fileobj, file_name=file_path.name, user=uploader, start=False
            )
        batch = submission.batch
        if submission.interrupted:
            self.stdout.write(
                _("同一文件的批次 #%(id)d 上次导入时进程中断（于 %(when)s 开始），现在重新导入。")
                % {"id": batch.pk, "when": timezone.localtime(batch.started_at).strftime("%Y-%m-%d %H:%M:%S")}
            )
        # A pending batch of the same file (queued, or its command died before it began) is loaded
        # here; a live loader keeps it (batch_load returns it untouched).
        if submission.resubmitted and not submission.interrupted and batch.status != BatchStatus.PENDING:
            self.stdout.write(
                _("同一文件（SHA-256相同）已于 %(when)s 作为批次 #%(id)d 提交，本次未做任何改动。")
                % {"when": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M"), "id": batch.pk}
            )
        else:
            try:
                batch = services.batch_load(batch_id=batch.pk)
            except Exception as exc:
                batch.refresh_from_db()
                self.stderr.write(_("批次 #%(id)d 导入失败：%(err)s") % {"id": batch.pk, "err": exc})
                raise SystemExit(2) from exc
        self._summary(batch, time.monotonic() - started)
        if batch.status == BatchStatus.REJECTED:
            raise SystemExit(1)

    def _summary(self, batch, seconds: float) -> None:
        w = self.stdout.write
        w(
            _("批次 #%(id)d  %(cat)s  %(file)s")
            % {"id": batch.pk, "cat": batch.get_category_display(), "file": batch.file_name}
        )
        w(_("状态：%(status)s") % {"status": batch.get_status_display()})
        if batch.status == BatchStatus.REJECTED:
            w(_("文件被拒绝（%(code)s）：%(msg)s") % {"code": batch.error_code, "msg": batch.error_message})
            return
        w(
            _(
                "数据行 %(rows)d：新增 %(loaded)d，更正 %(corrected)d，重复 %(duplicate)d，拒绝 %(rejected)d；姓名不符 %(nm)d"
            )
            % {
                "rows": batch.data_rows,
                "loaded": batch.loaded,
                "corrected": batch.corrected,
                "duplicate": batch.duplicate,
                "rejected": batch.rejected,
                "nm": batch.name_mismatch,
            }
        )
        if batch.extra_columns:
            w(_("未使用的列：%(cols)s") % {"cols": "、".join(batch.extra_columns)})
        reasons = (
            batch.rejected_rows.values("reason_code", "column").annotate(n=Count("id")).order_by("-n")[:10]
        )
        if reasons:
            w(_("拒绝原因（前10）："))
            for r in reasons:
                label = reason_label(r["reason_code"])
                w(f"  {r['n']:>8}  {r['column'] or '-'}：{label}（{r['reason_code']}）")
            example = batch.rejected_rows.order_by("row_number").first()
            w(_("  例：第%(row)d行 %(msg)s") % {"row": example.row_number, "msg": example.message})
        if batch.started_at and batch.finished_at:
            load_seconds = (batch.finished_at - batch.started_at).total_seconds()
            w(
                _("用时 %(total).1f 秒（其中导入 %(load).1f 秒），%(rate)s 行/秒")
                % {
                    "total": seconds,
                    "load": load_seconds,
                    "rate": f"{batch.data_rows / max(seconds, 1e-9):,.0f}",
                }
            )
