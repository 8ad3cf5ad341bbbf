"""Read by gunicorn from the folder it is started in: its own lines (start-up, workers booting or timing
out) in the service's log format, the same JSON lines as the web pages, the worker and beat.

The request line of each request comes from the service (common/requestlog.py, with the request id,
the account and the real client address), so gunicorn's access log is left off."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common.logformat import logging_config  # noqa: E402 (needs the folder on the path, above)

_format = os.environ.get("LOG_FORMAT", "").strip().lower() or "json"
logconfig_dict = logging_config(log_format=_format if _format in ("json", "text") else "json", level="INFO")
# The admins' email handler needs Django's settings, which gunicorn's own process does not load.
logconfig_dict["root"]["handlers"] = ["console"]
del logconfig_dict["handlers"]["admins"]
del logconfig_dict["filters"]["debug_false"]
