from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transfer import services
from transfer.formats import BY_KEY


class Command(BaseCommand):
    help = "Import a documented CSV file (see docs/imports.md), all or nothing; or a year's export zip."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=[*BY_KEY, "zip"])
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and say what would change, writing nothing"
        )

    def handle(self, *args, format, file, dry_run=False, **options):
        raw = Path(file).read_bytes()
        if format == "zip":
            results = services.import_zip(raw)
        else:
            results = [services.import_records(format_key=format, content=services.decode(raw), commit=not dry_run)]
        for result in results:
            if result.errors:
                for error in result.errors:
                    self.stderr.write(str(error))
                raise CommandError(
                    f"{result.format}: {len(result.errors)} problem(s); nothing was imported from this file."
                )
            verb = "would be" if dry_run else "were"
            self.stdout.write(
                f"{result.format}: {result.rows} rows; {result.created} new, {result.updated} changed, "
                f"{result.unchanged} unchanged {verb} imported."
            )
