"""Strict readers for settings that come from environment variables.

A value that cannot be read is an error at start-up, not a silent default:
"DEBUG=yes" is refused rather than taken as false.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

_TRUE = {"true", "1", "on"}
_FALSE = {"false", "0", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Which settings, and the env file ----------------------------------------------------------
# Every entry point (manage.py, config/wsgi.py for gunicorn, config/celery.py for the worker and
# beat) calls choose_settings(), so a worker or `collectstatic` chooses the same settings as the
# web server from the same place: ENVIRONMENT, in the environment or the env file.

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FOR_ENVIRONMENT = {
    "development": "config.settings.base",
    "test": "config.settings.test",
    "production": "config.settings.production",
}
# True while DJANGO_SETTINGS_MODULE holds a default chosen here rather than one the deployer set:
# the web server's entry point may then replace it with its own default (production).
_settings_defaulted = False


def env_file_target() -> Path:
    """Where the env file is: ENV_FILE, or `.env` in the project's folder."""
    named = os.environ.get("ENV_FILE", "").strip()
    return Path(named) if named else ROOT / ".env"


def env_file_path() -> Path | None:
    """The env file to read, if there is one. One named by ENV_FILE must exist: a mistyped name would
    otherwise start the site on the defaults."""
    path = env_file_target()
    if os.environ.get("ENV_FILE", "").strip():
        if not path.exists() or path.is_dir():
            raise ImproperlyConfigured(f"ENV_FILE names {path}, which is not a file")
        return path
    return path if path.is_file() else None


def load_env_file() -> Path | None:
    """Read the env file into the environment. A variable already in the environment wins, so
    systemd's Environment= or a one-off `DEBUG=true manage.py ...` overrides the file."""
    path = env_file_path()
    if path is not None:
        # The same syntax the shell reads (`set -a; . ./.env`): KEY=value, quotes as in the shell.
        load_dotenv(path, override=False)
    return path


def choose_settings(default: str = "development") -> str:
    """Set DJANGO_SETTINGS_MODULE from ENVIRONMENT (development, test or production), after reading
    the env file. A DJANGO_SETTINGS_MODULE set by the deployer (or the tests) is kept; one that
    disagrees with ENVIRONMENT is refused rather than guessed between."""
    global _settings_defaulted
    given = os.environ.get("DJANGO_SETTINGS_MODULE") if not _settings_defaulted else None
    # The tests never read a developer's env file: they must not meet its database.
    if given != SETTINGS_FOR_ENVIRONMENT["test"]:
        load_env_file()
        given = os.environ.get("DJANGO_SETTINGS_MODULE") if not _settings_defaulted else None
    environment = os.environ.get("ENVIRONMENT", "").strip().lower()
    if environment:
        if environment not in SETTINGS_FOR_ENVIRONMENT:
            raise ImproperlyConfigured(
                f"ENVIRONMENT must be development, test or production, not {os.environ['ENVIRONMENT']!r}"
            )
        module = SETTINGS_FOR_ENVIRONMENT[environment]
        if given and given != module:
            raise ImproperlyConfigured(
                f"ENVIRONMENT={environment} chooses {module} but DJANGO_SETTINGS_MODULE={given}: set only ENVIRONMENT"
            )
        os.environ["DJANGO_SETTINGS_MODULE"] = module
        _settings_defaulted = False
    elif not given:
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_FOR_ENVIRONMENT[default]
        _settings_defaulted = True
    return os.environ["DJANGO_SETTINGS_MODULE"]


def _shell_quoted(name: str, value: str) -> str:
    """A value quoted so that the shell (`set -a; . ./.env`) and the env file reader agree on it."""
    if "\n" in value:
        raise ImproperlyConfigured(f"{name} cannot span lines")
    if "'" not in value:
        return f"'{value}'"
    if not any(char in value for char in '"$`\\'):
        return f'"{value}"'
    raise ImproperlyConfigured(f"{name} cannot hold both ' and any of \" $ ` \\")


def write_env_values(path: Path, values: dict[str, str]) -> None:
    """Set these variables in the env file, replacing their lines or adding them at the end. A new
    file is readable by its owner only: it holds the secret key and passwords."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    remaining = dict(values)
    for index, line in enumerate(lines):
        name = line.removeprefix("export ").split("=", 1)[0].strip()
        if "=" in line and name in remaining:
            lines[index] = f"{name}={_shell_quoted(name, remaining.pop(name))}"
    lines += [f"{name}={_shell_quoted(name, value)}" for name, value in remaining.items()]
    if not path.exists():
        path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
