import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from accounts import services
from accounts.errors import AccountError


class Command(BaseCommand):
    help = (
        "Create the first training manager of a new site: in the training manager role (so the training "
        "team's emails reach them), email address confirmed. Asks for a password, or with --email-link "
        "emails them a link to choose one. Use this instead of createsuperuser."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="their work email address, which they sign in with")
        parser.add_argument("--name", required=True, help="their full name, as emails and pages show it")
        parser.add_argument(
            "--email-link",
            action="store_true",
            help="email them a link to choose their own password instead of asking for one here",
        )

    def handle(self, *args, email, name, email_link, **options):
        password = None if email_link else self._ask_for_password()
        try:
            person = services.create_training_manager(email=email, full_name=name, password=password)
        except AccountError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"{person.full_name} <{person.email}> is a training manager."))
        if email_link:
            self.stdout.write(f"A link to choose a password is on its way to {person.email} (it works for 24 hours).")
        sign_in = settings.SITE_URL + reverse("accounts:sign-in")
        if person.must_use_two_step:
            self.stdout.write(f"They sign in at {sign_in} and set up two-step sign-in before anything else.")
        else:
            self.stdout.write(f"They sign in at {sign_in}.")

    def _ask_for_password(self) -> str:
        for _ in range(3):
            password = getpass.getpass("Password: ")
            if password and password == getpass.getpass("Password (again): "):
                return password
            self.stderr.write("The passwords do not match (or are empty). Try again.")
        raise CommandError("No password given. Run it again, or use --email-link to email them a link instead.")
