"""gunicorn's settings (`gunicorn --config python:config.gunicorn config.wsgi`), from the same
environment and env file as the site.

The reverse proxy is the way in, so gunicorn listens on the loopback address unless BIND says
otherwise (another address and port, or a socket: unix:/run/lscb/web.sock). Which forwarded
headers to believe is decided by the site alone (TRUSTED_PROXY_COUNT, common/clientip.py):
gunicorn passes them through untouched and sets nothing from them.

gunicorn's own lines (start-up, workers booting or timing out) are in the service's log format, the
same JSON lines as the pages, the worker and beat. The line for each request comes from the service
(common/requestlog.py, with the request id, the account and the real client address), so gunicorn's
access log is off.
"""

import os

from common.logformat import logging_config
from config.env import env_int, env_list, load_env_file

load_env_file()

bind = env_list("BIND", ["127.0.0.1:8000"])
workers = env_int("WEB_CONCURRENCY", 3)
accesslog = None
# gunicorn would otherwise take X-Forwarded-Proto from any peer on 127.0.0.1 (the default) and set
# the request's scheme from it, behind the site's back.
forwarded_allow_ips = ""
secure_scheme_headers = {}

_format = os.environ.get("LOG_FORMAT", "").strip().lower() or "json"
logconfig_dict = logging_config(log_format=_format if _format in ("json", "text") else "json", level="INFO")
# The admins' email handler needs Django's settings, which gunicorn's own process does not load.
logconfig_dict["root"]["handlers"] = ["console"]
del logconfig_dict["handlers"]["admins"]
del logconfig_dict["filters"]["debug_false"]
