from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from common.csvfiles import decode
from transfer import services
from transfer.formats import BY_KEY

# These formats record who imported each record, so the command needs to know.
RECORDS_WHO = {"tna-returns", "training-elsewhere", "zip"}


class Command(BaseCommand):
    help = "Import a documented CSV file (see docs/imports.md), all or nothing; or a year's export zip."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=[*BY_KEY, "zip"])
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and say what would change, writing nothing"
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the training manager importing the file, recorded on each training needs return it imports "
            "(needed for tna-returns and zip)",
        )

    def handle(self, *args, format, file, dry_run=False, by=None, **options):
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by.strip(), is_active=True).first()
            if actor is None or not actor.is_training_manager:
                raise CommandError(f"{by} is not an active training manager's email.")
        elif format in RECORDS_WHO:
            raise CommandError(
                "Training needs returns and training done elsewhere record who imported them: add --by with your email."
            )
        path = Path(file)
        raw = path.read_bytes()
        if format == "zip":
            results = services.import_zip(raw, actor=actor, file_name=path.name)
        else:
            results = [
                services.import_records(
                    format_key=format,
                    content=decode(raw),
                    commit=not dry_run,
                    actor=actor,
                    file_name=path.name,
                )
            ]
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
            for warning in result.warnings:
                self.stdout.write(f"Check {warning}")
            for outcome in result.outcomes:
                self.stdout.write(outcome)
