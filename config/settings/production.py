"""Production: behind a TLS-terminating proxy, PostgreSQL and Redis.

Refuses to start without a real SECRET_KEY or without a shared cache (Redis); `manage.py check
--deploy` is clean.
"""

from django.core.exceptions import ImproperlyConfigured

from common.logformat import logging_config
from config.env import env_bool, env_int, env_str
from config.observability import log_format_from_env

from .base import *  # noqa: F403
from .base import CACHE_URL, LOG_LEVEL, STORAGES

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

# Every web and worker process must see the same cache: the cached pages' generation lives there,
# so a write on one machine makes the pages of every other out of date. Files under var/ are
# seen only by the processes of one machine.
if not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        "CACHE_URL must be set to a Redis address shared by every web and worker process in production "
        "(for example: redis://cache.internal:6379/1)."
    )

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

# X-Forwarded-Proto is believed only from trusted proxies: TRUSTED_PROXY_COUNT (base.py).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# /healthz is probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# --- Errors and logs: JSON lines unless LOG_FORMAT says otherwise (base.py) ---
LOG_FORMAT = log_format_from_env("json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
