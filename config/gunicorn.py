"""gunicorn's settings (`gunicorn --config python:config.gunicorn config.wsgi`), from the same
environment and env file as the site.

The reverse proxy is the way in, so gunicorn listens on the loopback address unless BIND says
otherwise (another address and port, or a socket: unix:/run/lscb/web.sock). Which forwarded
headers to believe is decided by the site alone (TRUSTED_PROXY_COUNT, common/clientip.py):
gunicorn passes them through untouched and sets nothing from them.
"""

from config.env import env_int, env_list, load_env_file

load_env_file()

bind = env_list("BIND", ["127.0.0.1:8000"])
workers = env_int("WEB_CONCURRENCY", 3)
accesslog = "-"
# gunicorn would otherwise take X-Forwarded-Proto from any peer on 127.0.0.1 (the default) and set
# the request's scheme from it, behind the site's back.
forwarded_allow_ips = ""
secure_scheme_headers = {}
