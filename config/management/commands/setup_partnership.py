from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import seed_reference_data
from courses.demo import seed_pathway, seed_policy


class Command(BaseCommand):
    help = (
        "Create the defaults a new partnership starts from: organisation categories, the eight Working "
        "Together staff groups, levels 1 to 4 with the common refresher rules, and a booking and charging "
        "policy. Safe to run twice; the training manager edits all of it afterwards."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            categories, groups = seed_reference_data()
            seed_pathway()
            seed_policy()
        self.stdout.write(
            self.style.SUCCESS(
                f"Ready: {len(categories)} organisation categories, {len(groups)} staff groups, "
                "levels and pathway rules, booking policy."
            )
        )
