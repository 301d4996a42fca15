"""One settings module, driven by environment variables (see README "Configuration")."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# --- Secret key: required unless DEBUG (./dev writes a random one into .env on first use) ---
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
PLACEHOLDER_SECRET_KEYS = {"", DEVELOPMENT_SECRET_KEY, "change-me-to-a-long-random-string"}
SECRET_KEY = env("SECRET_KEY", default="").strip()
if SECRET_KEY in PLACEHOLDER_SECRET_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置或仍是示例值，DEBUG=false 时拒绝启动。请设置一个长随机值，例如："
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'（开发时 ./dev 会自动生成）。 / "
            "SECRET_KEY is missing or a placeholder and DEBUG is off: set a long random value "
            "(./dev generates one for development)."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "households.signin.apps.SigninConfig",
    "csp",
    "rest_framework",
    "django_filters",
    "django_htmx",
    "import_export",
    "drf_spectacular",
    "households",
    "households.readlog",
    "imports",
    "monitoring",
    "alerts",
    "assistance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # below whitenoise: every response but a static file's
    "households.web.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "households.middleware.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # before any view or query sees the request (the session and the user are still lazy)
    "households.web.guards.ControlCharacterMiddleware",
    "households.signin.idle.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "households.readlog.middleware.ReadLogMiddleware",  # one row per request that read personal data
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "households.context_processors.navigation",
            ],
        },
    },
]

# --- Database: DATABASE_URL, or an embedded PostgreSQL in .pgdata/ when unset ---
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from config.embedded_db import embedded_database_url

    DATABASES = {"default": env.db_url_config(embedded_database_url(BASE_DIR))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# No JIT compilation: the planner's cost estimates for the run's evidence subqueries and the
# dashboard's grouping sets pass its threshold, and compiling then took longer (0.7-1 s a statement)
# than running the statement; nothing in this application ran measurably faster with it.
# Appended, so that options given in DATABASE_URL (?options=-c statement_timeout=…) still apply.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
DATABASES["default"].setdefault("TEST", {})
if env("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = env("TEST_DATABASE_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "households.User"
AUTHENTICATION_BACKENDS = ["households.auth_backends.RolePermissionBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (whitenoise), never from a CDN ---
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
# Uploaded department files hold full ID numbers: readable by the app's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# First: drops an upload past IMPORT_MAX_FILE_MB while it arrives, before it is stored whole.
FILE_UPLOAD_HANDLERS = [
    "imports.forms.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Celery: Redis when REDIS_URL is set, otherwise a broker in files (no server) ---
# Tasks never run inside a web request: a worker process always loads the uploads (`./dev demo`
# starts one beside gunicorn; docker-compose runs one per queue).
REDIS_URL = env("REDIS_URL", default="")
# Without Redis: kombu's filesystem transport, results and the cache in this git-ignored folder.
LOCAL_QUEUE_DIR = Path(env("LOCAL_QUEUE_DIR", default=str(BASE_DIR / ".queue")))
# Longest time limit of any task (the load of a batch); the nightly run's county tasks have less.
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5 * 60
if REDIS_URL:
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
    # A task not acknowledged within the visibility timeout is given to another worker: it must
    # outlast the longest task (late acknowledgement), or a long load would run twice at once.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 30 * 60}
    # The cache carries import progress between the worker and the web processes.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    try:
        for _folder in ("broker", "results", "cache"):
            (LOCAL_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"REDIS_URL 未设置，且无法创建本地队列目录 {LOCAL_QUEUE_DIR}（{exc.strerror}）：请设置 REDIS_URL，"
            f"或将 LOCAL_QUEUE_DIR 指向可写目录。 / REDIS_URL is unset and {LOCAL_QUEUE_DIR} cannot be "
            "created: set REDIS_URL, or LOCAL_QUEUE_DIR to a writable folder."
        ) from exc
    CELERY_BROKER_URL = "filesystem://"
    _broker_folder = str(LOCAL_QUEUE_DIR / "broker")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _broker_folder,
        "data_folder_out": _broker_folder,
        "control_folder": _broker_folder,
    }
    CELERY_RESULT_BACKEND = f"file://{LOCAL_QUEUE_DIR / 'results'}"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(LOCAL_QUEUE_DIR / "cache"),
        }
    }
# ID searches per user and window (households.id_search), counted in the cache above (Redis, or
# the file cache without it): every process shares the count.
ID_SEARCH_LIMIT = env.int("ID_SEARCH_LIMIT", default=20)
ID_SEARCH_WINDOW_MINUTES = env.int("ID_SEARCH_WINDOW_MINUTES", default=10)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Uploads and the nightly run on queues of their own, so a long load never holds up the night
# (and the other way round); everything else, the chord's bookkeeping included, on "celery".
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "imports.tasks.*": {"queue": "imports"},
    "alerts.tasks.*": {"queue": "monitoring"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "nightly-monitoring-run": {
        "task": "alerts.tasks.nightly_monitoring_run",
        "schedule": crontab(hour=2, minute=0),
    },
    "recover-interrupted-imports": {
        "task": "imports.tasks.recover_interrupted_loads",
        "schedule": timedelta(minutes=5),
    },
}

# --- Department file limits (imports/loading/limits.py). A 1,000,000-row medical-settlement
# file is ~150 MB as CSV and ~800 MB of sheet XML in a ~90 MB .xlsx (ratio ~9): the defaults take it.
IMPORT_MAX_FILE_MB = env.int("IMPORT_MAX_FILE_MB", default=300)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=2_000_000)
IMPORT_XLSX_MAX_UNCOMPRESSED_MB = env.int("IMPORT_XLSX_MAX_UNCOMPRESSED_MB", default=2048)
IMPORT_XLSX_MAX_RATIO = env.int("IMPORT_XLSX_MAX_RATIO", default=100)
# openpyxl holds an Excel file's shared strings in memory, ~6.5 times their unpacked size (1,000,000
# rows saved as Excel does, every cell a string: 89 MB, 3.5 M strings, 578 MB resident).
IMPORT_XLSX_MAX_SHARED_STRINGS_MB = env.int("IMPORT_XLSX_MAX_SHARED_STRINGS_MB", default=128)
# .xls/.ods: python-calamine holds every sheet whole, ~64 bytes a cell from A1 to the last filled one
# (a full 65,536-row .xls sheet of 30 columns: 2 M cells, ~130 MB).
IMPORT_SHEET_MAX_CELLS = env.int("IMPORT_SHEET_MAX_CELLS", default=5_000_000)
IMPORT_MAX_REJECTED_ROWS = env.int("IMPORT_MAX_REJECTED_ROWS", default=50_000)
IMPORT_MAX_REJECTED_PERCENT = env.int("IMPORT_MAX_REJECTED_PERCENT", default=20)
IMPORT_REJECTED_SHARE_MIN_ROWS = env.int("IMPORT_REJECTED_SHARE_MIN_ROWS", default=100)
# Loads of one file whose loading process died (the sweep reloads it) before the batch fails.
IMPORT_MAX_LOAD_ATTEMPTS = env.int("IMPORT_MAX_LOAD_ATTEMPTS", default=3)
# --- Personal data at rest: the read log and uploaded raw files are kept this long ---
READ_LOG_RETENTION_DAYS = env.int("READ_LOG_RETENTION_DAYS", default=3 * 365)
CELERY_BEAT_SCHEDULE["read-log-retention"] = {
    "task": "households.readlog.tasks.read_log_purge",
    "schedule": crontab(hour=3, minute=30),
}
# Uploaded raw files of loaded batches (succeeded or rejected) are deleted this long after the load.
RAW_FILE_RETENTION_DAYS = env.int("RAW_FILE_RETENTION_DAYS", default=90)
CELERY_BEAT_SCHEDULE["raw-file-retention"] = {
    "task": "imports.tasks.raw_files_purge",
    "schedule": crontab(hour=3, minute=40),
}

# --- The city this deployment serves (region codes must start with its prefix) ---
CITY_REGION_CODE = env("CITY_REGION_CODE", default="130900")
# 临时救助 (assistance/amounts.py): the cap, as a multiple of the monthly 低保 standard, and the largest
# amount a town approves alone (above it the county approves). Counties differ and DOMAIN.md gives no
# figure: these defaults are assumptions for the bureau to confirm. Decimal strings.
TEMPORARY_AID_CAP_MONTHS = env.str("TEMPORARY_AID_CAP_MONTHS", default="6")
TEMPORARY_AID_TOWN_LIMIT = env.str("TEMPORARY_AID_TOWN_LIMIT", default="1000")
# A monthly grant starts the month after approval (DOMAIN.md, configurable); False: the same month.
GRANT_STARTS_NEXT_MONTH = env.bool("GRANT_STARTS_NEXT_MONTH", default=True)
# 公示 lasts this many calendar days, the first day included (DOMAIN.md: 7).
NOTICE_DAYS = env.int("NOTICE_DAYS", default=7)
# 信息核对 lists the department records of this many days before the check opens (valid disability
# certificates and open unemployment registrations whatever their age). Not given by DOMAIN.md: an
# assumption for the bureau to confirm.
FINDINGS_LOOKBACK_DAYS = env.int("FINDINGS_LOOKBACK_DAYS", default=365)
# The supervision hotline printed on every notice and standing list (12349: civil-affairs hotline).
NOTICE_HOTLINE = env.str("NOTICE_HOTLINE", default="12349")
# --- Grants over time (issue 16). DOMAIN.md "Reviews and exits": yearly reviews, every 6 months for
# households with members able to work (working age REVIEW_WORKING_AGE, no grade 1–2 disability);
# review tasks are generated this many days before they are due.
REVIEW_MONTHS_STABLE = env.int("REVIEW_MONTHS_STABLE", default=12)
REVIEW_MONTHS_ABLE_TO_WORK = env.int("REVIEW_MONTHS_ABLE_TO_WORK", default=6)
REVIEW_WORKING_AGE = env.list("REVIEW_WORKING_AGE", cast=int, default=[18, 59])
REVIEW_LEAD_DAYS = env.int("REVIEW_LEAD_DAYS", default=30)
# 渐退期: at most this many months (DOMAIN.md: up to 6).
GRADUAL_EXIT_MAX_MONTHS = env.int("GRADUAL_EXIT_MAX_MONTHS", default=6)
# Reviews due soon are generated, and grants whose 渐退期 is over end, every night.
CELERY_BEAT_SCHEDULE["grant-reviews-daily"] = {
    "task": "assistance.tasks.generate_reviews",
    "schedule": crontab(hour=4, minute=0),
}
# 回访: this many days after a one-off or special-fund payment was paid.
FOLLOW_UP_AFTER_PAYMENT_DAYS = env.int("FOLLOW_UP_AFTER_PAYMENT_DAYS", default=30)
# The monthly list to medical insurance: due by this day of the month; one list for the city, or
# one per county when True.
MEDICAL_LIST_DUE_DAY = env.int("MEDICAL_LIST_DUE_DAY", default=5)
MEDICAL_LIST_PER_COUNTY = env.bool("MEDICAL_LIST_PER_COUNTY", default=False)
# The list's 资助参保类别 per monitoring category (the medical-insurance bureau's words, written into
# the file as they are). DOMAIN.md gives no table: these defaults are assumptions for the bureau to
# confirm (特困 fully paid, 低保 a fixed subsidy, the edge groups partly, other low income not).
MEDICAL_LIST_SUBSIDY_CLASS = {
    "tekun": "全额资助",
    "dibao": "定额资助",
    "dibao_edge": "部分资助",
    "rigid_expense": "部分资助",
    "relapse_watch": "部分资助",
    "other_low_income": "不资助",
}
# On the 1st at 01:00 (Beijing): the previous month's lists are produced, to be sent by the due day.
CELERY_BEAT_SCHEDULE["medical-insurance-monthly-list"] = {
    "task": "assistance.tasks.produce_medical_lists",
    "schedule": crontab(day_of_month=1, hour=1, minute=0),
}
CELERY_BEAT_SCHEDULE["follow-ups-daily"] = {
    "task": "assistance.tasks.generate_followups",
    "schedule": crontab(hour=4, minute=20),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {"TITLE": "救助监测 API", "VERSION": "1"}

# Admin imports and exports (django-import-export) need the model's add / view permission of the
# user's role; without these settings every admin user could export.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- Sign-in: lockout after repeated failures (django-axes), passwords, idle sessions ---
# Failures are counted per username, from any address: one account cannot be guessed from many
# machines, and one person behind an office's shared (NAT) address cannot lock out the others.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Attempts during a lockout neither count nor extend it: it ends when the page says it will.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "households.signin.lockout.lockout_response"
AXES_ENABLE_ADMIN = False  # households.signin.admin registers Chinese pages for the same tables
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed sign-in, kept after the lockout ends
AXES_VERBOSE = False
# axes.W006 asks for the address in the lockout key; leaving it out is the decision above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Who a locked-out user should call, shown on the sign-in page (e.g. "信息科 0317-1234567").
SIGNIN_HELP_CONTACT = env("SIGNIN_HELP_CONTACT", default="")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "households.signin.passwords.UsernameNotInPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
# Signed out after this long without a request of their own (htmx polling does not count).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))

# --- Error pages and CSRF failures in the site's layout ---
CSRF_FAILURE_VIEW = "households.web.errors.csrf_failure"

# --- HTTPS and browser security headers (production: HTTPS=true behind the TLS proxy) ---
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading commits the whole registrable domain to HTTPS: its owner decides, not this app.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# Only behind a proxy that sets X-Forwarded-Proto itself (a client could send the header too).
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The read log takes the client's address from X-Forwarded-For (its last entry) only behind a proxy
# that appends it; otherwise from the connection (a client could send the header itself).
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything comes from the app itself; no inline script or style (static/js, static/css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws its icons as data: SVGs in its CSS
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
