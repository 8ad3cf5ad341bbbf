"""Tests: fast hashing, email kept in memory, tasks run in the test process.

Tests that need a real worker switch eagerness off themselves.
"""

from .base import *  # noqa: F403
from .base import CACHES, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The test client signs in without a request, which django-axes refuses; the
# sign-in protection test turns it back on.
AXES_ENABLED = False
# Many tests sign up and reset passwords from one address; the rate-limit tests turn it on.
RATE_LIMITS_ENABLED = False
# One cache per test process, emptied before each test (conftest.py).
CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lscb-test"}
