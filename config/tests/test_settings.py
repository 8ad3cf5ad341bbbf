"""Settings come from the environment; production refuses to start unsafely."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.env import env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


# What the deployer's shell or service manager may have set that would change what a test shows.
UNSET = (
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "CACHE_URL",
    "ENVIRONMENT",
    "ENV_FILE",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "ALLOWED_HOSTS",
    "PARTNERSHIP_NAME",
    "SUPPORT_EMAIL",
    "TRUSTED_PROXY_COUNT",
    "ADMIN_ENABLED",
    "TWO_STEP_REQUIRED",
    "BIND",
)


def run(command, env, cwd=ROOT):
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=60)


def manage(*args, **env):
    # An env file in the project's folder must not change what the test shows: name an empty one.
    env.setdefault("ENV_FILE", os.devnull)
    return run([sys.executable, "manage.py", *args], env)


def production(**overrides):
    """Everything production requires, as a council's deployment sets it."""
    return {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "postgres://lscb@db.internal:5432/lscb",
        "CACHE_URL": "redis://cache.internal:6379/1",
        "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
        "EMAIL_HOST": "smtp.westshire.gov.uk",
        "DEFAULT_FROM_EMAIL": "Westshire safeguarding training <no-reply@westshire-scp.org.uk>",
        "SITE_URL": "https://training.westshire-scp.org.uk",
        "ALLOWED_HOSTS": "training.westshire-scp.org.uk",
        "PARTNERSHIP_NAME": "Westshire Safeguarding Children Partnership",
        "SUPPORT_EMAIL": "training@westshire-scp.org.uk",
        "TRUSTED_PROXY_COUNT": "1",
        **overrides,
    }


def show(*expressions, **env):
    """Print settings as a process started with this environment sees them."""
    code = "; ".join(f"print(repr({e}))" for e in expressions)
    return manage("shell", "--no-imports", "-c", f"from django.conf import settings; {code}", **env)


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **production(SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("cache_url", ["", "memcached://cache:11211", "file:///tmp/cache"])
def test_production_refuses_to_start_without_a_shared_cache(cache_url):
    """Each machine's own cache would keep showing its pages after another machine's write."""
    result = manage("check", **production(CACHE_URL=cache_url))
    assert result.returncode != 0
    assert "CACHE_URL must be set to a Redis address" in result.stderr


def test_check_deploy_under_production_settings_prints_no_warnings():
    result = manage("check", "--deploy", **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNINGS" not in result.stderr


def test_booleans_must_be_true_or_false(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "True")
    assert env_bool("SOME_FLAG", False) is True
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("SOME_NUMBER", 1)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_is_postgresql_when_database_url_says_so():
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy


# --- Choosing the settings, and the env file -------------------------------------------------


def test_production_with_nothing_set_names_every_missing_setting_at_once():
    result = manage("check", ENVIRONMENT="production")
    assert result.returncode != 0
    refusal = result.stderr[result.stderr.index("Production settings are incomplete") :]
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "CACHE_URL",
        "CELERY_BROKER_URL",
        "EMAIL_HOST",
        "DEFAULT_FROM_EMAIL",
        "SITE_URL",
        "ALLOWED_HOSTS",
        "PARTNERSHIP_NAME",
        "SUPPORT_EMAIL",
        "TRUSTED_PROXY_COUNT",
    ):
        assert f"  - {name} must be set" in refusal, name


@pytest.mark.parametrize(
    "half_configured, named",
    [
        ({"DATABASE_URL": "sqlite:////srv/lscb/db.sqlite3"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "EMAIL_BACKEND"),
        ({"SITE_URL": "http://training.westshire-scp.org.uk"}, "SITE_URL"),
        ({"PARTNERSHIP_NAME": "Northshire Safeguarding Children Partnership"}, "PARTNERSHIP_NAME"),
        ({"TRUSTED_PROXY_COUNT": "0"}, "TRUSTED_PROXY_COUNT"),
    ],
)
def test_production_refuses_one_setting_left_as_on_a_developers_machine(half_configured, named):
    result = manage("check", **production(**half_configured))
    assert result.returncode != 0
    refusal = result.stderr[result.stderr.index("Production settings are incomplete") :]
    assert f"  - {named} must" in refusal and refusal.count("  - ") == 1


def test_make_run_and_make_test_need_no_settings_at_all():
    result = show("settings.DEBUG", "settings.EMAIL_BACKEND", "settings.DATABASES['default']['ENGINE']")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "'django.core.mail.backends.console.EmailBackend'",
        "'django.db.backends.sqlite3'",
    ]


def env_file(tmp_path, text):
    path = tmp_path / "lscb.env"
    path.write_text(text)
    return str(path)


def test_the_worker_and_collectstatic_read_production_from_the_env_file(tmp_path):
    """Started with no variables at all but the env file's place, they send email rather than print it."""
    lines = [f"{name}='{value}'" for name, value in production().items()]
    path = env_file(tmp_path, "\n".join(lines) + "\n")
    code = "import config.celery; from django.conf import settings; print(settings.DEBUG, settings.EMAIL_BACKEND)"
    worker = run([sys.executable, "-c", code], {"ENV_FILE": path})
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.split() == ["False", "django.core.mail.backends.smtp.EmailBackend"]
    collectstatic = manage("collectstatic", "--dry-run", "--no-input", ENV_FILE=path, VAR_DIR=str(tmp_path))
    assert collectstatic.returncode == 0, collectstatic.stderr
    assert "Pretending to copy" in collectstatic.stdout or "static files copied" in collectstatic.stdout
    check = manage("check", "--deploy", ENV_FILE=path)
    assert check.returncode == 0, check.stderr


def test_gunicorn_with_nothing_set_starts_production_not_debug():
    result = run([sys.executable, "-c", "import config.wsgi"], {"ENV_FILE": os.devnull})
    assert result.returncode != 0
    assert "Production settings are incomplete" in result.stderr


def test_the_environment_wins_over_the_env_file(tmp_path):
    path = env_file(
        tmp_path,
        "PARTNERSHIP_NAME='Westshire Safeguarding Children Partnership'\nSUPPORT_EMAIL=training@westshire-scp.org.uk\n",
    )
    result = show(
        "settings.PARTNERSHIP_NAME", "settings.SUPPORT_EMAIL", ENV_FILE=path, SUPPORT_EMAIL="help@example.org"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["'Westshire Safeguarding Children Partnership'", "'help@example.org'"]


def test_an_env_file_named_but_missing_is_refused(tmp_path):
    result = manage("check", ENV_FILE=str(tmp_path / "missing.env"))
    assert result.returncode != 0
    assert "ENV_FILE names" in result.stderr and "which is not a file" in result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ENVIRONMENT": "live"}, "ENVIRONMENT must be development, test or production"),
        (
            {"ENVIRONMENT": "production", "DJANGO_SETTINGS_MODULE": "config.settings.base"},
            "set only ENVIRONMENT",
        ),
    ],
)
def test_an_unclear_choice_of_settings_is_refused(env, message):
    result = manage("check", **env)
    assert result.returncode != 0 and message in result.stderr


def test_the_example_env_file_loads_in_the_shell_as_the_site_reads_it():
    from dotenv import dotenv_values

    shell = run(["sh", "-c", "set -a; . ./.env.example; set +a; env -0"], {})
    assert shell.returncode == 0, shell.stderr
    exported = dict(line.split("=", 1) for line in shell.stdout.split("\0") if "=" in line)
    read = dotenv_values(ROOT / ".env.example")
    assert read["PARTNERSHIP_NAME"] == "Northshire Safeguarding Children Partnership"
    assert read["DEFAULT_FROM_EMAIL"] == "Safeguarding training <no-reply@northshire-scp.example.org>"
    for name, value in read.items():
        assert exported[name] == value, name


def test_gunicorn_listens_on_loopback_unless_bind_says_otherwise():
    def gunicorn_config(**env):
        result = run(
            [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "--print-config", "config.wsgi"],
            {"ENV_FILE": os.devnull, "ENVIRONMENT": "development", **env},
        )
        assert result.returncode == 0, result.stderr
        return dict(
            (key.strip(), value.strip())
            for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
        )

    default = gunicorn_config(PORT="5000")
    assert default["bind"] == "['127.0.0.1:8000']"
    # Forwarded headers are believed by the site alone, through TRUSTED_PROXY_COUNT.
    assert default["forwarded_allow_ips"] == "[]" and default["secure_scheme_headers"] == "{}"
    assert gunicorn_config(BIND="unix:/run/lscb/web.sock")["bind"] == "['unix:/run/lscb/web.sock']"


@pytest.mark.parametrize("admin_enabled, answers", [("", False), ("true", True)])
def test_the_admin_site_is_off_in_production_unless_turned_on(admin_enabled, answers):
    code = "from django.urls import resolve, Resolver404\ntry:\n resolve('/admin/')\n print('on')\n"
    code += "except Resolver404:\n print('off')"
    env = production(ADMIN_ENABLED=admin_enabled) if admin_enabled else production()
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("on" if answers else "off")


def test_two_step_sign_in_is_compulsory_in_production_unless_turned_off():
    assert show("settings.TWO_STEP_REQUIRED", **production()).stdout.strip() == "True"
    assert show("settings.TWO_STEP_REQUIRED", **production(TWO_STEP_REQUIRED="false")).stdout.strip() == "False"
    assert show("settings.TWO_STEP_REQUIRED").stdout.strip() == "False"
