"""The demo partnership's training needs analysis: the training year in progress
(2026-27, every return submitted) and next year's analysis (2027-28) open now,
with returns submitted, in draft, reopened and not started."""

from datetime import date, datetime

from django.utils import timezone

from accounts.models import Agency, User
from accounts.roles import Role

from . import services
from .models import ReturnStatus, TnaCycle, TrainingYear


def _fill(tna_return, seed: int, manager) -> None:
    lead = services.leads_of(tna_return.agency)
    actor = lead[0] if lead else manager
    counts = {
        line.target_group_id: (
            (seed * 7 + line.target_group.number * 3) % 40 + 5,
            (seed + line.target_group.number) % 6,
        )
        for line in tna_return.staff_counts.select_related("target_group")
    }
    services.save_staff_counts(actor=actor, tna_return=tna_return, counts=counts)
    total = sum(a + b for a, b in counts.values())
    needs = {}
    for i, line in enumerate(tna_return.needs.select_related("course")):
        in_scope = min(total, (seed * 5 + i * 7) % 12 + 2)
        trained = min(line.trained_in_date, in_scope)
        # Agencies ask for a few places a course: what a small partner really needs in a year.
        needs[line.course_id] = (in_scope, trained, min((seed + i) % 3, in_scope - trained))
    services.save_needs(actor=actor, tna_return=tna_return, needs=needs)
    lines = {
        line.level_id: ((seed * 3 + line.level.number * 11) % 60, (seed * 9 + line.level.number * 13) % 40 + 60)
        for line in tna_return.single_agency.select_related("level")
    }
    services.save_single_agency(
        actor=actor,
        tna_return=tna_return,
        lines=lines,
        evaluation="Post-course questionnaires, with a three-month audit of case files by team managers.",
    )


def seed(stdout=None) -> None:
    manager = User.objects.filter(groups__name=str(Role.TRAINING_MANAGER)).order_by("pk").first()
    agencies = list(Agency.objects.filter(active=True).order_by("name"))
    current, _ = TrainingYear.objects.get_or_create(
        name="2026-27",
        defaults={
            "starts_on": date(2026, 4, 1),
            "ends_on": date(2027, 3, 31),
            "children_in_need": 3420,
            "central_costs": 48500,
        },
    )
    from .models import AgencyContribution

    for n, agency in enumerate(a for a in agencies if a.contributing):
        AgencyContribution.objects.get_or_create(
            year=current, agency=agency, defaults={"amount": 2500 + (n % 4) * 2500}
        )
    past_cycle, created = TnaCycle.objects.get_or_create(
        year=current,
        defaults={
            "opens_on": date(2026, 1, 5),
            "deadline": date(2026, 2, 27),
            "reminder_offsets": [-14, -3, 1, 7],
            "instructions": "Tell us your staff's inter-agency training needs for 2026-27.",
        },
    )
    if created:
        past_cycle.opened_at = timezone.make_aware(datetime(2026, 1, 5, 9, 0))
        past_cycle.save(update_fields=["opened_at"])
        for n, agency in enumerate(agencies):
            tna_return = services.start_return(agency=agency, cycle=past_cycle)
            _fill(tna_return, n, manager)
            lead = (services.leads_of(agency) or [manager])[0]
            services.submit_return(actor=lead, tna_return=tna_return, declaration=True)

    next_year, _ = TrainingYear.objects.get_or_create(
        name="2027-28",
        defaults={
            "starts_on": date(2027, 4, 1),
            "ends_on": date(2028, 3, 31),
            "children_in_need": 3500,
            "central_costs": 50000,
        },
    )
    cycle, created = TnaCycle.objects.get_or_create(
        year=next_year,
        defaults={
            "opens_on": date(2026, 11, 2),
            "deadline": date(2027, 1, 29),
            "reminder_offsets": [-14, -3, 1, 7],
            "instructions": "Please include volunteers. Ask the training team if a course you need is not listed.",
        },
    )
    if created:
        cycle.opened_at = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
        cycle.save(update_fields=["opened_at"])
        for n, agency in enumerate(agencies):
            # Opening an analysis starts every active agency's return.
            tna_return = services.start_return(agency=agency, cycle=cycle)
            mix = n % 4
            if mix == 3:
                continue  # not started
            _fill(tna_return, n + 20, manager)
            if mix in (0, 1):
                lead = (services.leads_of(agency) or [manager])[0]
                services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
                if mix == 1 and n % 8 == 1:
                    services.reopen_return(
                        actor=manager,
                        tna_return=tna_return,
                        reason="Please add the volunteers who started in November.",
                    )
    if stdout:
        submitted = cycle.returns.filter(status=ReturnStatus.SUBMITTED).count()
        stdout.write(
            f"Training needs analysis: {current} complete; "
            f"{next_year} open with {submitted} of {len(agencies)} returns submitted"
        )
