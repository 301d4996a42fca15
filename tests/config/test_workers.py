"""How the workers and the web server are set up, read in fresh processes the way they start.

Production (REDIS_URL): Redis carries tasks, results and the import progress; a task is handed to
another worker only after the visibility timeout, which must outlast every task (or a long load
would run twice) and every retry's wait. Without REDIS_URL: a broker in files, and never a task run
inside the request. Every task of the app is on a queue some docker-compose worker consumes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

CELERY_SETUP = """
import json
import django
django.setup()
from django.conf import settings
from config.celery import app
app.loader.import_default_modules()
tasks = {
    name: {
        "time_limit": task.time_limit or app.conf.task_time_limit,
        "autoretry_for": [e.__module__ + "." + e.__name__ for e in getattr(task, "autoretry_for", ())],
        "retry_backoff": task.retry_backoff,
        "retry_backoff_max": task.retry_backoff_max,
        "max_retries": task.max_retries,
        "queue": (app.amqp.router.route({}, name) or {}).get("queue").name,
    }
    for name, task in app.tasks.items()
    if not name.startswith("celery.")
}
print(json.dumps({
    "broker_url": app.conf.broker_url,
    "transport_options": app.conf.broker_transport_options,
    "result_backend": app.conf.result_backend,
    "always_eager": app.conf.task_always_eager,
    "cache": settings.CACHES["default"]["BACKEND"],
    "default_queue": app.conf.task_default_queue,
    "tasks": tasks,
}))
"""


def celery_setup(**environment: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "LOCAL_QUEUE_DIR")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    out = subprocess.run(
        [sys.executable, "-c", CELERY_SETUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def compose_worker_queues() -> set[str]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    queues = set()
    for service in services.values():
        command = service.get("command") or []
        if "worker" in command:
            queues.update(command[command.index("--queues") + 1].split(","))
    return queues


def test_with_redis_the_visibility_timeout_outlasts_every_task_and_every_retry_wait():
    setup = celery_setup(REDIS_URL="redis://127.0.0.1:9/0")
    assert setup["broker_url"] == setup["result_backend"] == "redis://127.0.0.1:9/0"
    assert setup["cache"] == "django.core.cache.backends.redis.RedisCache"
    visibility = setup["transport_options"]["visibility_timeout"]
    tasks = setup["tasks"]
    assert {"imports.tasks.load_batch", "alerts.tasks.monitoring_run_county"} <= set(tasks)
    for name, task in tasks.items():
        assert task["time_limit"] and task["time_limit"] < visibility, name
        assert task["retry_backoff_max"] < visibility, name


def test_uploads_and_the_nightly_run_retry_on_database_errors_with_backoff():
    tasks = celery_setup()["tasks"]
    retried = [name for name in tasks if name.startswith(("imports.tasks.load", "alerts.tasks."))]
    assert "imports.tasks.load_batch" in retried and "alerts.tasks.monitoring_run_county" in retried
    for name in retried:
        task = tasks[name]
        assert "django.db.utils.OperationalError" in task["autoretry_for"], name
        assert "psycopg.OperationalError" in task["autoretry_for"], name  # the loader's raw cursors
        assert task["retry_backoff"] and task["max_retries"], name


def test_imports_and_the_nightly_run_have_queues_of_their_own_and_a_compose_worker_for_every_queue():
    setup = celery_setup()
    tasks = setup["tasks"]
    assert tasks["imports.tasks.load_batch"]["queue"] == "imports"
    assert tasks["alerts.tasks.nightly_monitoring_run"]["queue"] == "monitoring"
    assert tasks["alerts.tasks.monitoring_run_county"]["queue"] == "monitoring"
    consumed = compose_worker_queues()
    # the chord's bookkeeping (celery.chord_unlock) and any task without a route: the default queue
    assert setup["default_queue"] in consumed
    for name, task in tasks.items():
        assert task["queue"] in consumed, f"{name} goes to {task['queue']}, which no worker consumes"


def test_without_redis_tasks_go_through_a_broker_in_files_never_run_in_the_request(tmp_path):
    setup = celery_setup(LOCAL_QUEUE_DIR=str(tmp_path / "queue"))
    assert setup["always_eager"] is False
    assert setup["broker_url"] == "filesystem://"
    assert setup["transport_options"]["data_folder_in"] == str(tmp_path / "queue" / "broker")
    assert setup["result_backend"] == f"file://{tmp_path / 'queue' / 'results'}"
    # the worker's progress reports reach the web processes
    assert setup["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert {p.name for p in (tmp_path / "queue").iterdir()} == {"broker", "results", "cache"}


def gunicorn_config(**environment: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    out = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py", "--print-config", "config.wsgi"],
        cwd=ROOT, env={**env, **environment}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in out.stdout.splitlines())
    }


def test_gunicorn_runs_threaded_workers_sized_from_the_cpu_count_with_overrides():
    config = gunicorn_config()
    assert config["worker_class"] == "gthread"
    assert int(config["workers"]) == (os.cpu_count() or 1) + 1
    assert int(config["threads"]) > 1
    config = gunicorn_config(GUNICORN_WORKERS="3", GUNICORN_THREADS="2", GUNICORN_TIMEOUT="45")
    assert (config["workers"], config["threads"], config["timeout"]) == ("3", "2", "45")
    # docker-compose passes an unset variable on as empty: the default holds
    assert int(gunicorn_config(GUNICORN_WORKERS="")["workers"]) == (os.cpu_count() or 1) + 1


def test_the_image_compose_and_dev_demo_serve_with_the_gunicorn_config():
    config_file = "config/gunicorn.conf.py"
    assert f'"--config", "{config_file}"]' in (ROOT / "Dockerfile").read_text()
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    assert web[web.index("--config") + 1] == config_file
    assert f"--config {config_file}" in (ROOT / "dev").read_text()


def test_without_redis_an_unwritable_queue_folder_refuses_to_start_saying_what_to_set(tmp_path):
    (tmp_path / "a-file").write_text("")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**env, "LOCAL_QUEUE_DIR": str(tmp_path / "a-file" / "queue")},
    )  # fmt: skip
    assert out.returncode != 0
    assert "请设置 REDIS_URL，或将 LOCAL_QUEUE_DIR 指向可写目录" in out.stderr


def test_every_setting_of_env_example_reaches_every_app_container_and_is_read_by_the_settings():
    # A variable set in .env but listed nowhere for the containers would silently keep its
    # default in production (TRUST_X_FORWARDED_FOR was one): the app containers read .env whole.
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    app_services = {name: s for name, s in services.items() if s.get("image") == "jiuzhu-jiance:latest"}
    assert set(app_services) == {"migrate", "web", "worker-imports", "worker-monitoring", "beat"}
    for name, service in app_services.items():
        assert service.get("env_file") == ".env", name
    settings_text = "".join((ROOT / "config" / f).read_text() for f in ("settings.py", "gunicorn.conf.py"))
    documented = [
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert documented
    unread = [var for var in documented if var != "POSTGRES_PASSWORD" and f'"{var}"' not in settings_text]
    assert unread == []
