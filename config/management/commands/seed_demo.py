from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import sign_in_lines
from common.registry import app_modules


class Command(BaseCommand):
    help = (
        "Load the Northshire demo partnership. Deterministic and safe to run twice. "
        "Each app adds its part from its own demo.py, in the order of INSTALLED_APPS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", "large"],
            default="demo",
            help=(
                "large: add a partnership of 60 agencies, 25,000 people and five years of programme "
                "(bench/generate.py)."
            ),
        )
        parser.add_argument(
            "--factor", type=int, default=1, help="With --scale large: multiply the data (2 = twice as much)."
        )

    def handle(self, *args, scale="demo", factor=1, **options):
        with transaction.atomic():
            for module in app_modules("demo", include_accounts=True):
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo partnership ready. Sign in as:"))
        for line in sign_in_lines():
            self.stdout.write(line)
        if scale == "large":
            from bench.generate import generate

            generate(factor=factor, stdout=self.stdout)
