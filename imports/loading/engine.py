"""Loading one department file: read → stage → validate → reject → name check → merge → hooks.

`load_file` runs inside the caller's transaction and writes nothing outside it, so a failure at any
step leaves no trace of the file (the batch row is updated by the caller after the rollback).

Accounting, per file: `loaded + corrected + duplicate + rejected = data_rows`, where
- a data row is any row after the header with at least one non-empty cell (rows whose cells are
  all empty, as Excel leaves them, are not data rows and are not counted);
- rejected = rows with a bad cell or failing a row check, plus the earlier rows of a natural key
  repeated in the file (reason `duplicate_in_file`, naming the row that won: the later row wins);
- of the remaining rows, one per key: loaded (new key), corrected (stored with other content; the
  change goes to FeedRecordChange), duplicate (stored with the same content; nothing written).
"""

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imports import progress
from imports.loading import hooks, limits, merge
from imports.loading.errors import FileRejected
from imports.loading.headers import map_headers
from imports.loading.reasons import reason_label
from imports.loading.sources import MAX_COLUMNS, CsvSource, create_staging, open_source
from imports.loading.validation import validated_table_sql
from imports.specs import get_spec

logger = logging.getLogger(__name__)

# Session settings for the load's transaction: sorting and hashing a million keys in memory.
WORK_MEM = "256MB"
TEMP_BUFFERS = "512MB"


@dataclass
class LoadResult:
    data_rows: int = 0
    loaded: int = 0
    corrected: int = 0
    duplicate: int = 0
    rejected: int = 0
    name_mismatch: int = 0
    encoding: str = ""
    delimiter: str = ""  # a CSV/TXT file's separator; "" for workbooks
    columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    fast_path: bool = False


def _more_temp_buffers(cursor) -> None:
    """Keep the staging tables in the backend's memory; only possible before the session's first
    use of a temporary table (a fresh connection, as in the worker and the command)."""
    try:
        with transaction.atomic():
            cursor.execute(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'")
    except psycopg.Error:
        pass


def _stage(cursor, source, ncols: int, batch_id: int) -> bool:
    """Fill jz_stg; True when the COPY fast path took the whole file."""

    def report(rows: int, bytes_read: int) -> None:
        progress.report(batch_id, phase="reading", rows_read=rows, bytes_read=bytes_read)

    create_staging(cursor, ncols, source.header_row + 1)
    if isinstance(source, CsvSource):
        try:
            with transaction.atomic():
                source.copy_fast(cursor, ncols, report)
            return True
        except psycopg.errors.DataError as exc:
            # Rows COPY cannot take (ragged rows, blank lines between rows, NUL bytes): the
            # savepoint undid the partial COPY; read the file again row by row.
            logger.info("batch %s: COPY fast path not possible (%s), using the row path", batch_id, exc)
            source.release()
    source.copy_rows(cursor, ncols, report)
    return False


def load_file(*, batch, fileobj, now: datetime) -> LoadResult:
    """Load `fileobj` as `batch` at the instant `now` (rows are stamped with it; dates after its day
    are in the future); raises FileRejected before any row is read if the file is unusable."""
    today = timezone.localdate(now)
    spec = get_spec(batch.category)
    fileobj.seek(0, os.SEEK_END)
    limits.check_file_size(fileobj.tell())
    fileobj.seek(0)
    source = open_source(fileobj, batch.file_name)
    if len(source.header) > MAX_COLUMNS:
        raise FileRejected(
            "too_many_columns",
            _("表头有 %(n)d 列，超过上限（最多 %(max)d 列）：请删去多余的列后重新上传")
            % {"n": len(source.header), "max": MAX_COLUMNS},
        )
    hmap = map_headers(spec, source.header)
    result = LoadResult(
        encoding=source.encoding,
        delimiter=getattr(source, "delimiter", ""),
        columns=hmap.headers,
        extra_columns=hmap.extra,
    )

    connection.ensure_connection()
    # The backend's pid names a process of this machine only when the database runs here.
    backend_pid = connection.connection.info.backend_pid if _database_is_local() else None
    clock = [time.monotonic(), _cpu_seconds(backend_pid)]

    def step(name: str) -> None:
        # Wall time and the PostgreSQL backend's CPU time per step: on a shared machine the CPU
        # time says what the step costs, the wall time what it took.
        now, cpu = time.monotonic(), _cpu_seconds(backend_pid)
        if backend_pid is None:
            logger.info("batch %s: %s %.2f s", batch.pk, name, now - clock[0])
        else:
            logger.info(
                "batch %s: %s %.2f s (database CPU %.2f s)", batch.pk, name, now - clock[0], cpu - clock[1]
            )
        clock[0], clock[1] = now, cpu

    with connection.cursor() as django_cursor:
        cur = django_cursor.cursor  # the psycopg cursor: COPY, and no Django placeholder parsing
        cur.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        _more_temp_buffers(cur)
        # One load per category at a time: two files with overlapping keys would otherwise
        # interleave their upserts; the lock ends with the transaction.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('imports.load.' || %s))", (spec.category,))
        result.fast_path = _stage(cur, source, len(hmap.headers), batch.pk)

        step("staging")
        statements = validated_table_sql(spec, hmap, today=today, city_prefix=settings.CITY_REGION_CODE[:4])
        for sql in statements:
            cur.execute(sql)
        step("validate")
        cur.execute("ANALYZE jz_v")
        cur.execute("SELECT count(*) FROM jz_v")
        (result.data_rows,) = cur.fetchone()
        cur.execute(merge.duplicates_sql(spec))
        step("duplicates")
        cur.execute(merge.rejected_count_sql())
        (rejected,) = cur.fetchone()
        if limits.rejected_over_limit(data_rows=result.data_rows, rejected=rejected):
            raise _too_many_rejected(cur, spec, hmap, today, data_rows=result.data_rows, rejected=rejected)
        cur.execute(merge.rejected_rows_sql(spec, hmap, batch_id=batch.pk, today=today))
        result.rejected = cur.rowcount
        step("rejected rows")
        progress.report(batch.pk, phase="merging", rows_read=result.data_rows)

        mismatch_sql = merge.name_mismatch_sql(spec, batch_id=batch.pk)
        if mismatch_sql:
            cur.execute(mismatch_sql)
            result.name_mismatch = cur.rowcount
            step("name check")
        cur.execute(merge.merge_sql(spec, batch_id=batch.pk), {"now": now})
        result.loaded, result.corrected = cur.fetchone()
        step("merge")
        result.duplicate = result.data_rows - result.rejected - result.loaded - result.corrected
        if spec.after_merge_hook:
            rows_sql = merge.accepted_sql(spec).replace("SELECT v.*", _typed_columns(spec), 1)
            hooks.get(spec.after_merge_hook)(cursor=cur, batch=batch, rows_sql=rows_sql, now=now)
            step("after-merge hook")
        # Deferred foreign-key checks (one per written row) run here rather than at commit, so
        # their cost shows in the step timings and a violation fails the load like any error.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        step("deferred constraint checks")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again for the rest of the transaction
        # ON COMMIT DROP is not enough when the caller's transaction goes on (tests, nested use).
        dictionaries = [f"jz_d{i}" for i in range((len(statements) - 1) // 2)]
        cur.execute(f"DROP TABLE {', '.join(['jz_dup', 'jz_v', 'jz_stg', *dictionaries])}")
    return result


SUMMARY_ROWS = 5


def _too_many_rejected(cur, spec, hmap, today, *, data_rows: int, rejected: int) -> FileRejected:
    """The refusal of a mostly wrong file: its reasons and first rows, read before anything is written."""
    reasons_sql, rows_sql = merge.rejected_summary_sql(spec, hmap, today=today, rows=SUMMARY_ROWS)
    cur.execute(reasons_sql)
    reasons = [(reason_label(code), n) for code, n in cur.fetchall()]
    cur.execute(rows_sql)
    return limits.too_many_rejected(
        data_rows=data_rows, rejected=rejected, reasons=reasons, first_rows=cur.fetchall()
    )


def _database_is_local() -> bool:
    """Whether the database server runs on this machine (a local address or a Unix socket)."""
    host = connection.settings_dict.get("HOST") or ""
    return host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/")


def _cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) of a local process; 0 without a pid (remote database) or when not readable."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return 0.0


def _typed_columns(spec) -> str:
    return "SELECT v.row_no, " + ", ".join(f"v.f_{f.name} AS {f.name}" for f in spec.fields)
