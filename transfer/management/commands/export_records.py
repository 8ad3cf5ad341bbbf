from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tna.models import TrainingYear
from transfer import services


class Command(BaseCommand):
    help = "Export a training year as a zip of CSV files in the import formats."

    def add_arguments(self, parser):
        parser.add_argument("year", help="the training year's name, such as 2026-27")
        parser.add_argument("output", help="the zip file to write")

    def handle(self, *args, year, output, **options):
        found = TrainingYear.objects.filter(name=year).first()
        if found is None:
            raise CommandError(f"No training year called {year!r}.")
        Path(output).write_bytes(services.export_year(found))
        self.stdout.write(f"Exported {found.name} to {output}")
