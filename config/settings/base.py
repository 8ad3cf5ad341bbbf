"""Settings for every environment, read from environment variables.

With nothing set this is a developer's machine (ENVIRONMENT=development): DEBUG on, SQLite and a
Celery broker on the local disk, so `make run` needs no server. The variables come from the
environment and from the env file (`.env` in the project's folder, or ENV_FILE), the environment
winning (config/env.py). `.env.example` documents every variable. `production.py` and `test.py`
override this module.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from common.logformat import logging_config
from config.env import env_bool, env_int, env_list, env_str
from config.media_storage import media_storage_from_environment
from config.observability import env_float, init_sentry, log_format_from_env, parse_admins

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
# Only for a developer's machine; production.py refuses to start without SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY") or "insecure-development-key-never-used-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# What the service calls itself in the header, page titles and emails.
SERVICE_NAME = env_str("SERVICE_NAME", "Safeguarding training")
PARTNERSHIP_NAME = env_str("PARTNERSHIP_NAME", "Northshire Safeguarding Children Partnership")
# Where the site is reached, for links in emails sent by the worker (no request there).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "training@northshire-scp.example.org")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tables2",
    "django_filters",
    "django_celery_beat",
    "axes",
    "accounts",
    "courses",
    "tna",
    "pool",
    "evaluation",
    "committee",
    "reports",
    "transfer",
    # Above every app: the commands that set up a whole partnership (seed_demo, setup_partnership).
    "config",
]

MIDDLEWARE = [
    # First: the request id every log line of the request carries, and the request's own log line.
    "common.requestlog.RequestLogMiddleware",
    # No URL, query, form value or cookie with a NUL reaches a view (PostgreSQL cannot store one).
    "common.requestlog.RefuseControlCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Cached pages: the generation is read once per request (common/pagecache.py).
    "common.pagecache.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    # Sends those who must use two-step sign-in (TWO_STEP_REQUIRED) to set it up first.
    "accounts.two_step.RequireTwoStepMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "accounts.context_processors.service",
                # The layout's personal parts, as placeholders when a page is built for the cache.
                "common.pagecache.layout_context",
            ],
            # The shared code is not an app, so its template tags are named here.
            "libraries": {"govuk": "common.templatetags.govuk"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat all write: wait for the lock rather
    # than fail, and take it at the start of a transaction to avoid deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in for an email and address that failed too often.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.EmailBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in protection against guessing: after this many failures for one email from
# one address, sign-in is refused for the cool-off period (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The address failures are counted against: the client's, read through the trusted proxies.
AXES_CLIENT_IP_CALLABLE = "common.clientip.client_address"

# Proxies in front of the site (the TLS-terminating proxy, a load balancer) that each append the
# address they received a request from to X-Forwarded-For. The client's address, for the sign-in
# lockout and every rate limit, is read that many entries from the right (common/clientip.py), and
# X-Forwarded-Proto is believed only when a proxy is trusted. 0: the site is reached directly and
# both headers are ignored (a client could write anything in them).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front of the site")
if TRUSTED_PROXY_COUNT:
    # The proxy must set this header itself, replacing any the client sent.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Rate limits on sign-in, sign-up, verification and password reset emails, two-step codes and each
# kind of signed link (accounts/ratelimit.py, through django-ratelimit), counted in the cache per
# client address (the same address as the sign-in lockout).
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
RATELIMIT_IP_META_KEY = "common.clientip.client_address"
# The shared cache: rate-limit counts, the cached pages' generation and the figures' "as at" time
# (common/pagecache.py). Every process must see the same one: Redis in production (CACHE_URL;
# production.py refuses to start without it); without it, files under var/ that the web server,
# the worker and beat on one machine all read.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    # Sessions are read on every signed-in request: from Redis, with the database behind it, in the
    # same round trip as the page generation (common/sessions.py).
    SESSION_ENGINE = "common.sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Built pages are kept in each process's memory: a hit then costs one small read of the shared
# generation (common/pagecache.py) rather than fetching 20-50 KB from Redis.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "lscb-pages",
    "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", 2000)},
}

# --- The admin site and two-step sign-in ------------------------------------------------------
# The admin site (/admin/) is for support staff. Its own sign-in page would take a password alone,
# so /admin/login/ sends people to the service's sign-in (with two-step); in production the admin
# site is off unless ADMIN_ENABLED=true.
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", True)
# true: training managers, Board members and admin users must set up two-step sign-in before they
# can open any other page, and cannot turn it off (production's default; see production.py).
TWO_STEP_REQUIRED = env_bool("TWO_STEP_REQUIRED", False)

# How long an email verification or password reset link stays valid.
ACCOUNT_VERIFICATION_DAYS = env_int("ACCOUNT_VERIFICATION_DAYS", 3)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
DJANGO_TABLES2_TEMPLATE = "includes/table.html"

MESSAGE_TAGS = {40: "error", 25: "success", 20: "info", 30: "warning"}

# Attendance against need: the share of requested places attended at or above
# which an agency or course shows green, and amber (below amber is red).
TNA_RAG_GREEN = env_int("TNA_RAG_GREEN", 80)
TNA_RAG_AMBER = env_int("TNA_RAG_AMBER", 50)
# The busiest pages are served from the cache between writes (common/pagecache.py): any write to
# the database makes them out of date. This bounds only what no write changes (time passing: a
# session that has started leaves the catalogue). 0 turns the cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
# Writes to these tables change nothing any page shows, so they leave the cached pages alone
# (every other table counts, so a table missing here costs rebuilds, never a stale page):
PAGE_CACHE_IGNORED_TABLES = frozenset(
    {
        # Sessions: written on many requests; a page never shows another request's session.
        "django_session",
        # Sign-in attempts and lockouts (django-axes): shown on no page.
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
        # The scheduler's bookkeeping (django-celery-beat): each run of a periodic task is recorded.
        "django_celery_beat_periodictask",
        "django_celery_beat_periodictasks",
        "django_celery_beat_crontabschedule",
        "django_celery_beat_intervalschedule",
        "django_celery_beat_solarschedule",
        "django_celery_beat_clockedschedule",
        # The email outbox: the worker claims and marks every email it sends; shown on no page.
        "accounts_outgoingemail",
        # The audit trail (including who downloaded which report): most changes it records also
        # write the tables they are about. Pages showing a history table are built for each request;
        # the audit trail's own page asks for its newest and oldest entries on each request instead
        # (accounts.selectors.audit_trail_ends), so an entry recorded alone shows at once there too.
        "accounts_auditentry",
    }
)
# Writes to these tables show on pages but in no figure: they make cached pages out of date but
# leave the figures' "as at" time alone, so a report's own progress (queued, being built, ready)
# does not move the time its figures are as at away from the dashboard's.
FIGURES_IGNORED_TABLES = frozenset({"reports_reportrun"})
# `make bench` adds a bare view to compare pages with; never set in production.
BENCHMARK_BARE_VIEW = env_bool("BENCHMARK_BARE_VIEW", False)
# Evaluation results for a group smaller than this show "too few responses", never figures.
EVALUATION_MIN_GROUP = env_int("EVALUATION_MIN_GROUP", 5)

# Email: written to the outbox in the request's transaction, sent by the worker.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SERVICE_NAME} <no-reply@northshire-scp.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production; with nothing set, kombu's filesystem transport
# under var/ so a developer needs no broker server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
        # The folder is polled; the default second between polls lets a backlog (the demo's
        # certificate emails) hold a report up for minutes.
        "polling_interval": 0.05,
    }
else:
    # A task taken by a worker that then dies goes back to the queue after this long. It must be
    # longer than the longest task (the report's hard limit, 6 minutes) and than a report's claim.
    # Workers look for such tasks every CELERY_RESTORE_INTERVAL seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
        "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 60),
        "unacked_restore_throttle": 1,
    }
# How long a worker holds a report run; after it, another worker may take the run over.
REPORT_CLAIM_SECONDS = env_int("REPORT_CLAIM_SECONDS", 420)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- Errors and logs (README "Logs and errors") -------------------------------------------------
# One format for the web server, the worker and beat (common/logformat.py): JSON lines, or readable
# text on a developer's console. Production defaults to json (production.py).
LOG_FORMAT = log_format_from_env("text")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
# The worker and beat keep these settings (config/celery.py applies them at Celery's setup_logging).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Error emails (each error's reference, request id and traceback; no personal data), sent straight
# through EMAIL_BACKEND, not the outbox: the error may be that the database is down.
ADMINS = parse_admins(env_str("ADMINS"))
EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "
# An SMTP server that does not answer must not hold a request (an error email) or a worker for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Optional error tracker: off unless SENTRY_DSN is set; never sent personal data (config/observability.py).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )
# --------------------------------------------------------------------------------------------------

# Schedules live in the database (django-celery-beat); these are installed at start-up.
CELERY_BEAT_SCHEDULE = {
    "send-pending-emails": {"task": "accounts.tasks.send_pending_emails", "schedule": 60.0},
    "expire-offers-and-holds": {"task": "courses.tasks.expire_offers_and_holds", "schedule": 300.0},
    "send-booking-reminders": {"task": "courses.tasks.send_booking_reminders", "schedule": 3600.0},
    "build-missing-invoices": {"task": "courses.tasks.build_missing_invoices", "schedule": 600.0},
    "send-tna-reminders": {"task": "tna.tasks.send_tna_reminders", "schedule": 3600.0},
    "lapse-pool-members": {"task": "pool.tasks.lapse_members", "schedule": 86400.0},
    "send-evaluation-invitations": {"task": "evaluation.tasks.send_invitations", "schedule": 3600.0},
    "send-evaluation-reminders": {"task": "evaluation.tasks.send_reminders", "schedule": 3600.0},
    "apply-retention-rules": {"task": "accounts.tasks.apply_retention", "schedule": 86400.0},
    "requeue-stale-report-runs": {"task": "reports.tasks.requeue_stale_runs", "schedule": 120.0},
}

# --- More than one machine: shared media storage, and the heartbeat of beat and the workers -------
# Generated files (report PDFs, certificates) and imports waiting to be confirmed are written by one
# machine and read by another: a worker builds a report that any web server hands out. "local" keeps
# them under MEDIA_ROOT, enough for one machine (or a folder every machine mounts); "s3" keeps them in
# a private bucket of an S3-compatible object store (Amazon S3, MinIO, Ceph) that every web and worker
# machine reaches. The keys come from the environment the way boto3 reads them (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the machine's role); files are always read through the web server, which
# checks who may have them, never through a link to the bucket.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
STORAGES["default"] = media_storage_from_environment()

# Beat sends a heartbeat every HEARTBEAT_SECONDS and a worker answers it (config/health.py); /healthz
# reports their ages, and /healthz/background answers 503 when either is older than
# HEARTBEAT_STALE_SECONDS. A worker running one process can be busy with a report for up to 6 minutes:
# raise the limit for such a worker.
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 60)
HEARTBEAT_STALE_SECONDS = env_int("HEARTBEAT_STALE_SECONDS", 300)
if not 0 < HEARTBEAT_SECONDS < HEARTBEAT_STALE_SECONDS:
    raise ImproperlyConfigured("HEARTBEAT_STALE_SECONDS must be longer than HEARTBEAT_SECONDS, and both above 0")
CELERY_BEAT_SCHEDULE["record-heartbeat"] = {
    "task": "config.tasks.record_heartbeat",
    "schedule": float(HEARTBEAT_SECONDS),
    # A heartbeat not run before the next is sent is dropped, so a worker back from an outage does
    # not answer an hour of them.
    "options": {"expire_seconds": HEARTBEAT_SECONDS},
}
