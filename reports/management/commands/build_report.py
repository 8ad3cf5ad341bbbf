import shutil
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Agency
from reports import services
from reports.models import ReportKind, ReportRun, RunStatus
from tna.models import TrainingYear
from tna.selectors import current_training_year


class Command(BaseCommand):
    help = "Build a report now, with the same code the worker runs, and print where the PDF is stored."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=ReportKind.values, default=ReportKind.ANNUAL)
        parser.add_argument(
            "--year", help="The training year's name, such as 2026-27 (by default the current training year)."
        )
        parser.add_argument("--agency", help="The agency's name, for an agency's report.")
        parser.add_argument("--output", help="Also copy the PDF to this path.")

    def handle(self, *args, kind, year=None, agency=None, output=None, **options):
        training_year = TrainingYear.objects.filter(name=year).first() if year else current_training_year()
        if training_year is None:
            raise CommandError(
                f"No training year called {year!r}. "
                f"Known: {', '.join(TrainingYear.objects.values_list('name', flat=True))}"
            )
        chosen = None
        if kind == ReportKind.AGENCY:
            chosen = Agency.objects.filter(name__iexact=agency or "").first()
            if chosen is None:
                raise CommandError(f"No agency called {agency!r}.")
        title = f"{ReportKind(kind).label} {training_year.name}" + (f": {chosen.name}" if chosen else "")
        run = ReportRun.objects.create(
            kind=kind,
            parameters={"year": training_year.pk, **({"agency": chosen.pk} if chosen else {})},
            agency=chosen,
            title=title,
        )
        started = time.monotonic()
        try:
            services.build_run(run.pk)
        except Exception as error:
            services.record_failure(run.pk, error)
            raise CommandError(ReportRun.objects.get(pk=run.pk).error) from error
        run.refresh_from_db()
        if run.status != RunStatus.DONE:
            raise CommandError(f"The report was not built ({run.get_status_display()}).")
        if output:
            # Read through the media storage, which may be a bucket rather than a folder on this machine.
            with run.file.open("rb") as pdf, open(output, "wb") as copy:
                shutil.copyfileobj(pdf, copy)
        self.stdout.write(
            f"{run.title}: {run.pages} pages in {time.monotonic() - started:.1f} s, "
            f"stored as {run.file.name} ({settings.MEDIA_STORAGE} media storage)"
            + (f", copied to {output}" if output else "")
        )
