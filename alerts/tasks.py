"""Celery interface of the monitoring run: ids in, one service call each.

`nightly_monitoring_run` (beat, 02:00 Asia/Shanghai) evaluates as of *today*: every feed record
dated up to the moment of the run is inside the windows (departments send past events), and the
alerts are raised on the day caseworkers first see them, so their deadline counts from that day.

The run fans out one task per county (a chord) and ends with `finish_monitoring_run`. Every task
is idempotent (a county already recorded for the run returns its counts; finishing a finished run
does nothing), acknowledged late and requeued if its worker dies, retried with backoff when the
database fails it (households.task_retry), and time-limited; they run on the "monitoring" queue.
Calling `nightly_monitoring_run` again for a date whose run is still marked running (a dead
worker) resumes that run instead of starting a second one.
"""

from datetime import date

from celery import chord, shared_task

from alerts.services import run as run_service
from households import clock
from households.task_retry import RETRY_ON_DATABASE_ERRORS

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 15 * 60,
    "time_limit": 20 * 60,
    **RETRY_ON_DATABASE_ERRORS,
}


@shared_task(name="alerts.tasks.nightly_monitoring_run", **TASK_OPTIONS)
def nightly_monitoring_run(as_of: str | None = None, mode: str = "auto") -> int:
    """Begin (or resume) the run of `as_of` (ISO date; default today) and fan out by county."""
    day = date.fromisoformat(as_of) if as_of else clock.today()
    run = run_service.run_begin(as_of=day, mode=mode)
    header = [monitoring_run_county.si(run.id, county) for county in run.counts["county_list"]]
    callback = finish_monitoring_run.si(run.id)
    if header:
        chord(header)(callback.on_error(fail_monitoring_run.si(run.id)))
    else:
        callback.delay()
    return run.id


@shared_task(name="alerts.tasks.monitoring_run_county", **TASK_OPTIONS)
def monitoring_run_county(run_id: int, county: str) -> dict:
    return run_service.run_county(run_id=run_id, county=county)


@shared_task(name="alerts.tasks.finish_monitoring_run", **TASK_OPTIONS)
def finish_monitoring_run(run_id: int) -> str:
    return run_service.run_finish(run_id=run_id).status


@shared_task(name="alerts.tasks.fail_monitoring_run", acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def fail_monitoring_run(run_id: int) -> None:
    run_service.run_fail(run_id=run_id, error="区县任务失败，详见任务日志")
