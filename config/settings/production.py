"""Production (ENVIRONMENT=production): behind a TLS-terminating proxy, PostgreSQL and Redis.

Refuses to start half-configured, naming every missing setting; `manage.py check --deploy` is clean.
"""

from django.core.exceptions import ImproperlyConfigured

from common.logformat import logging_config
from config.env import env_bool, env_int, env_str
from config.observability import log_format_from_env

from .base import *  # noqa: F403
from .base import CACHE_URL, CELERY_BROKER_URL, DATABASES, LOG_LEVEL, SITE_URL, STORAGES, TRUSTED_PROXY_COUNT

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")

# --- What production requires ----------------------------------------------------------------
# A half-configured site would start and then fail quietly: emails printed instead of sent, links
# to the wrong address, the demo partnership's name on every certificate. Every missing setting
# is named in one refusal, so the deployer fixes them all in one go.
_demo = {
    "PARTNERSHIP_NAME": "Northshire Safeguarding Children Partnership",
    "SUPPORT_EMAIL": "training@northshire-scp.example.org",
}
_not_sending = ("console", "locmem", "dummy", "filebased")
_missing = []
if len(SECRET_KEY) < 50:
    _missing.append(
        "SECRET_KEY must be set to a random value of at least 50 characters "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )
if not env_str("DATABASE_URL") or DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _missing.append(
        "DATABASE_URL must be set to the PostgreSQL database (for example: postgres://lscb@db.internal/lscb)"
    )
# Every web and worker process must see the same cache: the cached pages' generation lives there,
# so a write on one machine makes the pages of every other out of date. Files under var/ are
# seen only by the processes of one machine.
if not CACHE_URL.startswith(("redis://", "rediss://")):
    _missing.append(
        "CACHE_URL must be set to a Redis address shared by every web and worker process "
        "(for example: redis://cache.internal:6379/1)"
    )
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _missing.append("CELERY_BROKER_URL must be set to the Redis broker (for example: redis://cache.internal:6379/0)")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if any(f".{kind}." in EMAIL_BACKEND for kind in _not_sending):
    _missing.append(f"EMAIL_BACKEND must send email (the SMTP backend), not {EMAIL_BACKEND}")
elif EMAIL_BACKEND.endswith(".smtp.EmailBackend") and not env_str("EMAIL_HOST"):
    _missing.append("EMAIL_HOST must be set to the SMTP server (with EMAIL_PORT, and EMAIL_HOST_USER if it asks)")
if not env_str("DEFAULT_FROM_EMAIL"):
    _missing.append("DEFAULT_FROM_EMAIL must be set to the address emails come from")
if not SITE_URL.startswith("https://") or not env_str("SITE_URL"):
    _missing.append("SITE_URL must be set to the site's https:// address, for the links in emails")
if not env_str("ALLOWED_HOSTS"):
    _missing.append("ALLOWED_HOSTS must be set to the site's host name (for example: training.example.org)")
for _name, _demo_value in _demo.items():
    if env_str(_name, _demo_value) == _demo_value:
        _missing.append(f"{_name} must be set to your partnership's own (not the demo's {_demo_value})")
# Without a trusted proxy the site never believes a request came over HTTPS, and redirects every one.
if env_bool("SECURE_SSL_REDIRECT", True) and TRUSTED_PROXY_COUNT < 1:
    _missing.append("TRUSTED_PROXY_COUNT must be set to the number of proxies in front of the site (1 for one)")
if _missing:
    raise ImproperlyConfigured(
        "Production settings are incomplete (ENVIRONMENT=production); set these in the environment or the env "
        "file:\n  - " + "\n  - ".join(_missing)
    )

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

# X-Forwarded-Proto is believed only from trusted proxies: TRUSTED_PROXY_COUNT (base.py).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# /healthz is probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/background)?$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- The admin site and two-step sign-in ------------------------------------------------------
# The admin site shows everything and is rarely needed: off unless turned on.
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", False)
# Those who see the most sign in with a code as well as their password.
TWO_STEP_REQUIRED = env_bool("TWO_STEP_REQUIRED", True)

# --- Errors and logs: JSON lines unless LOG_FORMAT says otherwise (base.py) ---
LOG_FORMAT = log_format_from_env("json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
