"""Loading one department file: read → stage → validate → reject → name check → merge → hooks.

`load_file` runs inside the caller's transaction and writes nothing outside it, so a failure at any
step leaves no trace of the file (the batch row is updated by the caller after the rollback).
"""

import logging
from dataclasses import dataclass, field
from datetime import date

import psycopg
from django.conf import settings
from django.db import connection, transaction

from imports import progress
from imports.loading import hooks, merge
from imports.loading.headers import map_headers
from imports.loading.sources import CsvSource, create_staging, open_source
from imports.loading.validation import validated_table_sql
from imports.specs import get_spec

logger = logging.getLogger(__name__)

# Session settings for the load's transaction: sorting and hashing a million keys in memory.
WORK_MEM = "256MB"


@dataclass
class LoadResult:
    data_rows: int = 0
    loaded: int = 0
    corrected: int = 0
    duplicate: int = 0
    rejected: int = 0
    name_mismatch: int = 0
    encoding: str = ""
    columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    fast_path: bool = False


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


def load_file(*, batch, fileobj, today: date) -> LoadResult:
    """Load `fileobj` as `batch`; raises FileRejected before any row is read if the file is unusable."""
    spec = get_spec(batch.category)
    source = open_source(fileobj, batch.file_name)
    hmap = map_headers(spec, source.header)
    result = LoadResult(encoding=source.encoding, columns=hmap.headers, extra_columns=hmap.extra)

    with connection.cursor() as django_cursor:
        cur = django_cursor.cursor  # the psycopg cursor: COPY, and no Django placeholder parsing
        cur.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        # One load per category at a time: two files with overlapping keys would otherwise
        # interleave their upserts; the lock ends with the transaction.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('imports.load.' || %s))", (spec.category,))
        result.fast_path = _stage(cur, source, len(hmap.headers), batch.pk)

        cur.execute(validated_table_sql(spec, hmap, today=today, city_prefix=settings.CITY_REGION_CODE[:4]))
        cur.execute("ANALYZE jz_v")
        cur.execute("SELECT count(*) FROM jz_v")
        (result.data_rows,) = cur.fetchone()
        cur.execute(merge.duplicates_sql(spec))
        cur.execute(merge.rejected_rows_sql(spec, hmap, batch_id=batch.pk, today=today))
        result.rejected = cur.rowcount
        progress.report(batch.pk, phase="merging", rows_read=result.data_rows)

        mismatch_sql = merge.name_mismatch_sql(spec, batch_id=batch.pk)
        if mismatch_sql:
            cur.execute(mismatch_sql)
            result.name_mismatch = cur.rowcount
        cur.execute(merge.merge_sql(spec, batch_id=batch.pk))
        result.loaded, result.corrected = cur.fetchone()
        result.duplicate = result.data_rows - result.rejected - result.loaded - result.corrected
        if spec.after_merge_hook:
            rows_sql = merge.accepted_sql(spec).replace("SELECT v.*", _typed_columns(spec), 1)
            hooks.get(spec.after_merge_hook)(cursor=cur, batch=batch, rows_sql=rows_sql)
        # ON COMMIT DROP is not enough when the caller's transaction goes on (tests, nested use).
        cur.execute("DROP TABLE jz_dup, jz_v, jz_stg")
    return result


def _typed_columns(spec) -> str:
    return "SELECT v.row_no, " + ", ".join(f"v.f_{f.name} AS {f.name}" for f in spec.fields)
