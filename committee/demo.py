"""The demo partnership's training sub-committee: its members, a year of quarterly meetings with
attendance, decisions and actions (one overdue for the police's lead), a single-agency training audit
round under way, the practice issue on the committee's agenda, and two requests for advice."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Agency, User
from accounts.roles import Role
from accounts.selectors import leads_of
from courses.models import Course, Session
from evaluation.models import IssueStatus, PracticeIssue
from tna import services as tna_services
from tna.models import AgencyContribution, ReturnKind, TnaCycle, TnaReturn, TrainingYear
from tna.selectors import year_bounds

from . import services
from .models import (
    AdviceRequest,
    AttendanceStatus,
    AuditQuestion,
    DeliveredBy,
    IncomeSource,
    IssueHearing,
    Member,
    MemberRole,
)

# Days before today each meeting was held, and its decisions.
MEETINGS = [
    (
        265,
        "Minutes\nTraining needs analysis results\nProgramme for next year",
        ["Training needs analysis results accepted"],
    ),
    (175, "Minutes\nEvaluation of the neglect course\nTrainer pool", ["Neglect course shortened to a full day"]),
    (
        85,
        "Minutes\nSingle-agency training audit\nPractice issues",
        ["Single-agency training audit to open in the autumn"],
    ),
    (7, "Minutes\nProgramme 2027-28\nBudget", ["Programme 2027-28 approved", "Trainer day rate in kind kept at £250"]),
]


def seed(stdout=None) -> None:
    services.ensure_standard_questions()
    if Member.objects.exists():
        return
    today = timezone.localdate()
    manager = User.objects.filter(groups__name=str(Role.TRAINING_MANAGER)).order_by("pk").first()
    chair = User.objects.filter(groups__name=str(Role.BOARD_MEMBER)).order_by("pk").first()
    if manager is None:
        return
    joined = today - timedelta(days=700)
    services.add_member(actor=manager, person=manager, role=MemberRole.TRAINING_MANAGER, joined_on=joined)
    if chair is not None:
        services.add_member(actor=manager, person=chair, role=MemberRole.CHAIR, joined_on=joined, agency=None)
    seated = []
    for agency in Agency.objects.filter(active=True).order_by("name"):
        lead = next(iter(leads_of(agency)), None)
        if lead is None or lead.pk == manager.pk:
            continue
        services.add_member(actor=manager, person=lead, role=MemberRole.MEMBER, joined_on=joined, agency=agency)
        seated.append((agency, lead))
    meetings = []
    for n, (days_ago, agenda, decisions) in enumerate(MEETINGS):
        meeting = services.create_meeting(actor=manager, held_on=today - timedelta(days=days_ago), agenda=agenda)
        services.add_paper(actor=manager, meeting=meeting, title="Attendance against need", path="/tna/attendance")
        services.record_attendance(
            actor=manager,
            meeting=meeting,
            attendance={
                agency: (
                    AttendanceStatus.APOLOGIES if (i + n) % 5 == 3 else AttendanceStatus.ATTENDED,
                    lead.full_name,
                )
                for i, (agency, lead) in enumerate(seated)
            },
        )
        for text in decisions:
            services.add_decision(actor=manager, meeting=meeting, text=text)
        meetings.append(meeting)
    police = next(((a, lead) for a, lead in seated if a.name == "Northshire Police"), seated[0] if seated else None)
    if police:
        services.add_action(
            actor=manager,
            meeting=meetings[2],
            text="Send the police's induction training figures for the audit",
            owner=police[1],
            due_on=meetings[2].held_on + timedelta(days=42),
        )
        done = services.add_action(
            actor=manager,
            meeting=meetings[1],
            text="Name a second police trainer for the exploitation course",
            owner=police[1],
            due_on=meetings[1].held_on + timedelta(days=30),
        )
        services.close_action(actor=police[1], action=done, outcome="DS Amy Lowe joined the pool.")
    services.add_action(
        actor=manager,
        meeting=meetings[3],
        text="Publish the 2027-28 programme to agency leads",
        owner=manager,
        due_on=today + timedelta(days=21),
    )

    # An audit round opened three weeks ago; the police have answered, and their answers are rated.
    # Opened as the page does it, without emailing the demo's leads again on every load.
    cycle = tna_services.create_round(
        actor=manager,
        kind=ReturnKind.AUDIT,
        title=f"Single-agency training audit {today:%Y}",
        opens_on=today - timedelta(days=21),
        deadline=today + timedelta(days=10),
        questions=[(q.text, q.hint) for q in AuditQuestion.objects.filter(active=True)],
    )
    TnaCycle.rounds.filter(pk=cycle.pk).update(opened_at=timezone.now() - timedelta(days=21))
    cycle.refresh_from_db()
    for agency in Agency.objects.filter(active=True):
        tna_services.start_return(agency=agency, cycle=cycle)
    if police:
        answers = [
            "New officers and staff complete level 1 e-learning within four weeks; HR checks it monthly.",
            "Level 1: 1,140 of 1,210 (94%); level 2: 212 of 260 (82%); level 3: 38 of 41 (93%).",
            "Feedback after every course and a yearly audit of child protection referrals.",
            "Our trainers are detective sergeants from the public protection unit who completed training for trainers.",
            "More places on the exploitation course, and help evaluating the effect on practice.",
        ]
        tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police[0])
        tna_services.save_answers(
            actor=police[1],
            tna_return=tna_return,
            answers={a.question_id: answers[i % len(answers)] for i, a in enumerate(tna_return.answers.all())},
        )
        tna_services.submit_return(actor=police[1], tna_return=tna_return, declaration=True)
        ratings = {}
        for i, answer in enumerate(tna_return.answers.all()):
            ratings[answer.pk] = ("amber", "No check that training changes practice.") if i == 2 else ("green", "")
        services.rate_answers(actor=manager, tna_return=tna_return, ratings=ratings)
        services.ask_advice(
            actor=police[1], question="Can our e-learning count as level 1 for police staff who work with children?"
        )
        first = AdviceRequest.objects.get()
        services.answer_advice(
            actor=manager,
            request=first,
            answer="Yes, if it covers the level 1 learning outcomes; send us the content and we will check it.",
        )

    issue = PracticeIssue.objects.filter(status=IssueStatus.TAKEN).order_by("pk").first()
    if issue is not None:
        IssueHearing.objects.get_or_create(issue=issue, defaults={"meeting": meetings[3]})
    _plan_and_money(manager, meetings[3])
    if stdout:
        stdout.write(
            f"Training sub-committee: {Member.objects.count()} members, {len(meetings)} meetings, {cycle} open"
        )


def _plan_and_money(manager, meeting) -> None:
    """Next year's programme approved at the last meeting, with a change evaluation led to; this
    year's money: contributions received, a grant, the trainer day rate, a commissioned session."""
    next_year = TrainingYear.objects.filter(name="2027-28").first()
    approval = meeting.decisions.filter(text="Programme 2027-28 approved").first()
    neglect = Course.objects.filter(title="Recognising and Responding to Neglect").first()
    if next_year and approval:
        services.approve_plan(actor=manager, year=next_year, decision=approval)
    if next_year and neglect:
        services.record_plan_change(
            actor=manager,
            year=next_year,
            course=neglect,
            finding="Delegates said the afternoon exercise ran over and the referral pathway was rushed.",
            change="A full day, with the referral pathway in the morning and the graded care profile after lunch.",
        )
    year = TrainingYear.objects.filter(name="2026-27").first()
    if year is None:
        return
    services.set_trainer_day_rate(actor=manager, year=year, rate=Decimal("250"))
    for n, contribution in enumerate(AgencyContribution.objects.filter(year=year).select_related("agency")):
        if n % 3 == 2:
            continue  # not paid yet
        services.record_receipt(
            actor=manager,
            year=year,
            source=IncomeSource.CONTRIBUTION,
            agency=contribution.agency,
            amount=contribution.amount,
            received_on=year.starts_on + timedelta(days=30 + n),
        )
    services.record_receipt(
        actor=manager,
        year=year,
        source=IncomeSource.GRANT,
        description="Local authority workforce development grant",
        amount=Decimal("12000"),
        received_on=year.starts_on + timedelta(days=14),
    )
    begin, finish = year_bounds(year)
    conference = Session.objects.filter(starts_at__gte=begin, starts_at__lt=finish).order_by("starts_at").first()
    if conference is not None:
        services.record_delivery(
            actor=manager,
            session=conference,
            delivered_by=DeliveredBy.COMMISSIONED,
            provider="Safe Lives Training Ltd",
            cost=Decimal("1450"),
        )
