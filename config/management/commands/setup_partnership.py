from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from accounts.demo import seed_reference_data
from accounts.selectors import partnership
from accounts.services import update_partnership
from committee.services import ensure_standard_questions
from config.env import env_file_target, write_env_values
from courses.demo import seed_pathway, seed_policy
from evaluation.models import ObservationValue
from evaluation.standard import install_observation_values
from pool.models import MembershipCriterion
from pool.standard import install_criteria

# What every email, page, certificate and report says about who runs the service, and where it is.
IDENTITY = [
    ("PARTNERSHIP_NAME", "partnership_name", "The partnership's name (on every page, email, certificate and report)"),
    ("SUPPORT_EMAIL", "support_email", "The email address people write to for help"),
    ("SITE_URL", "site_url", "The site's address, for the links in emails (https://...)"),
]
DEMO_VALUES = {"Northshire Safeguarding Children Partnership", "training@northshire-scp.example.org"}


class Command(BaseCommand):
    help = (
        "Create the defaults a new partnership starts from: organisation categories, the eight Working "
        "Together staff groups, levels 1 to 4 with the common refresher rules, a booking and charging "
        "policy, the trainer pool's criteria, the values session observers look for and the sub-committee's "
        "audit questions; save the partnership's name (which the training manager edits afterwards on the "
        "service's 'The partnership's details' page) and write its support email and site address into the "
        "env file (asked for, or given as options). Safe to run twice; the training manager edits all of it afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership-name", help="for example: Westshire Safeguarding Children Partnership")
        parser.add_argument("--support-email", help="for example: training@westshire-scp.org.uk")
        parser.add_argument("--site-url", help="for example: https://training.westshire-scp.org.uk")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="ask nothing; keep what is not given"
        )

    def handle(self, *args, interactive, **options):
        given = {name: options[option] for name, option, _ in IDENTITY if options[option] is not None}
        if interactive:
            given |= self._ask({name: question for name, _, question in IDENTITY if name not in given})
        self._check(given)
        if given:
            path = env_file_target()
            try:
                write_env_values(path, given)
            except (OSError, ImproperlyConfigured) as error:
                raise CommandError(f"Could not write {path}: {error}") from error
            self.stdout.write(f"Written to {path}: {', '.join(given)}. Restart the web server, worker and beat.")

        with transaction.atomic():
            if "PARTNERSHIP_NAME" in given:
                # The record is what every page, email and document reads; the env file keeps the name
                # only as the default a partnership that has never saved its details starts from.
                update_partnership(actor=None, name=given["PARTNERSHIP_NAME"], short_name=partnership().short_name)
            categories, groups = seed_reference_data()
            seed_pathway()
            seed_policy()
            # The values the guidance asks of trainers: in the pool's criteria and what observers look for.
            install_criteria(MembershipCriterion)
            install_observation_values(ObservationValue)
            ensure_standard_questions()
        self.stdout.write(
            self.style.SUCCESS(
                f"Ready: {len(categories)} organisation categories, {len(groups)} staff groups, "
                "levels and pathway rules, booking policy, trainer pool criteria, the values observers look "
                "for, and the sub-committee's audit questions."
            )
        )
        current = {"PARTNERSHIP_NAME": partnership().name}
        still_demo = [
            name
            for name, _, _ in IDENTITY
            if given.get(name, current.get(name, getattr(settings, name))) in DEMO_VALUES
        ]
        if still_demo:
            self.stdout.write(
                self.style.WARNING(f"Still the demo partnership's: {', '.join(still_demo)} (give them as options).")
            )

    def _ask(self, questions: dict[str, str]) -> dict[str, str]:
        """Ask for each; Enter keeps the value the settings have (unless it is the demo's)."""
        answers = {}
        for name, question in questions.items():
            current = partnership().name if name == "PARTNERSHIP_NAME" else getattr(settings, name)
            kept = f" [{current}]" if current not in DEMO_VALUES else ""
            answer = input(f"{question}{kept}: ").strip()
            if answer:
                answers[name] = answer
        return answers

    def _check(self, values: dict[str, str]) -> None:
        problems = []
        if "PARTNERSHIP_NAME" in values and not values["PARTNERSHIP_NAME"].strip():
            problems.append("Enter the partnership's name")
        if "SUPPORT_EMAIL" in values:
            try:
                EmailValidator()(values["SUPPORT_EMAIL"])
            except ValidationError:
                problems.append(f"The support email {values['SUPPORT_EMAIL']!r} is not an email address")
        if "SITE_URL" in values:
            values["SITE_URL"] = values["SITE_URL"].rstrip("/")
            try:
                URLValidator(schemes=["https", "http"])(values["SITE_URL"])
            except ValidationError:
                problems.append(f"The site address {values['SITE_URL']!r} is not a web address like https://...")
        if problems:
            raise CommandError("; ".join(problems))
