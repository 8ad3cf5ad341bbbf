from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import sign_in_lines


class Command(BaseCommand):
    help = (
        "Load the Northshire demo partnership. Deterministic and safe to run twice. "
        "Each app adds its part from its own demo.py, in the order of INSTALLED_APPS."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo partnership ready. Sign in as:"))
        for line in sign_in_lines():
            self.stdout.write(line)
