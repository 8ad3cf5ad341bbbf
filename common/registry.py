"""Apps to the right of `accounts` add their part (demo data, personal data, retention rules) from a
module of a known name; this finds those modules without `accounts` importing the apps."""

from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(name: str, *, include_accounts: bool = False) -> list[ModuleType]:
    """Each installed app's `<app>.<name>` module that exists, in the order of INSTALLED_APPS."""
    found = []
    for config in apps.get_app_configs():
        if config.name == "accounts" and not include_accounts:
            continue
        try:
            found.append(import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
    return found
