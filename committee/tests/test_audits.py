"""Single-agency training audits: a round is a return of the needs analysis's own engine, so opening,
drafts, submission, reminders, reopening and versions are the same service functions for both kinds;
the sub-committee rates the answers, records its findings and has the report built for the Board."""

import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, agency_lead, board_member, training_manager
from accounts.models import OutgoingEmail
from committee import selectors, services
from committee.models import AuditQuestion, CommitteePaper, PaperStatus
from committee.services import CommitteeError
from courses.factories import CourseFactory
from tna import services as tna_services
from tna.models import ReminderKind, ReminderLog, ReturnKind, ReturnStatus, TnaCycle, TnaReturn, TrainingYear
from tna.services import TnaError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Emails and the worker's tasks follow each service call at once."""


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", email="helen.carter@example.org", agency=None)


@pytest.fixture
def police(target_groups):
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def health(target_groups):
    return AgencyFactory(name="Northshire Community Health NHS Trust", sector="health")


@pytest.fixture
def police_lead(police):
    return agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)


@pytest.fixture
def health_lead(health):
    return agency_lead(full_name="Marcus Bell", email="marcus.bell@example.org", agency=health)


def open_round(manager, *, deadline=None):
    services.ensure_standard_questions()
    cycle, _ = services.open_audit_round(
        actor=manager,
        title="Single-agency training audit 2026",
        deadline=deadline or timezone.localdate() + timedelta(days=30),
        questions=list(AuditQuestion.objects.all()),
    )
    return cycle


def answer_all(lead, tna_return, text="Within four weeks of starting"):
    tna_services.save_answers(
        actor=lead, tna_return=tna_return, answers={a.question_id: text for a in tna_return.answers.all()}
    )


def test_the_standard_questions_ask_what_the_guidance_asks():
    services.ensure_standard_questions()
    texts = " ".join(AuditQuestion.objects.values_list("text", flat=True)).lower()
    for subject in ("induction", "trained and in date", "evaluate", "competent", "need from the partnership"):
        assert subject in texts
    assert services.ensure_standard_questions() == 0  # already there: nothing added


def test_opening_a_round_starts_every_agencys_return_with_the_questions_and_emails_the_leads(
    manager, police_lead, health_lead
):
    cycle = open_round(manager)
    assert cycle.kind == ReturnKind.AUDIT and cycle.is_open
    returns = TnaReturn.every_kind.filter(cycle=cycle)
    assert returns.count() == 2
    assert {r.answers.count() for r in returns} == {5}
    invitation = OutgoingEmail.objects.get(to=["priya.shah@example.org"])
    assert "Single-agency training audit 2026" in invitation.subject
    assert reverse("committee:audit-return", args=[returns.get(agency=police_lead.agency).pk]) in invitation.body_text


def test_an_audit_round_is_not_the_needs_analysis(manager, police_lead, client):
    """The TNA's pages, imports and figures read the needs analysis alone."""
    cycle = open_round(manager)
    assert not TnaCycle.objects.filter(pk=cycle.pk).exists()
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    client.force_login(police_lead)
    assert client.get(reverse("tna:return", args=[tna_return.pk])).status_code == 404
    assert client.get(reverse("tna:index")).status_code == 200  # "no analysis open", not the audit


def test_a_lead_saves_a_draft_then_submits_with_the_declaration(manager, police_lead):
    cycle = open_round(manager)
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    first = tna_return.answers.first()
    tna_services.save_answers(actor=police_lead, tna_return=tna_return, answers={first.question_id: "Within 4 weeks"})
    tna_return.refresh_from_db()
    assert tna_return.status == ReturnStatus.DRAFT and "answers" not in tna_return.sections_done
    with pytest.raises(TnaError, match="Complete every section first: Your answers"):
        tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=True)
    answer_all(police_lead, tna_return)
    with pytest.raises(TnaError, match="Confirm the declaration"):
        tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=False)
    tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=True)
    tna_return.refresh_from_db()
    assert tna_return.status == ReturnStatus.SUBMITTED
    with pytest.raises(TnaError, match="locked"):
        answer_all(police_lead, tna_return, "Changed after submitting")


@pytest.mark.parametrize("kind", [ReturnKind.NEEDS, ReturnKind.AUDIT])
def test_one_engine_reminds_reopens_and_versions_both_kinds(kind, manager, police_lead):
    """The same service functions remind a lead who has not returned, reopen a submitted return with
    the lead emailed, and number each submission and reopening as a version."""
    CourseFactory(title="Working Together to Safeguard Children")
    deadline = timezone.localdate() + timedelta(days=5)
    if kind == ReturnKind.NEEDS:
        year = TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
        cycle = TnaCycle.objects.create(
            year=year, opens_on=timezone.localdate(), deadline=deadline, reminder_offsets=[-7, 0, 7]
        )
        tna_services.open_cycle(actor=manager, cycle=cycle)
    else:
        cycle = open_round(manager, deadline=deadline)
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)

    # Reminded once (seven days before the deadline has passed), never twice.
    assert tna_services.send_tna_reminders() == 1
    assert tna_services.send_tna_reminders() == 0
    reminder = ReminderLog.objects.get(cycle=cycle, kind=ReminderKind.REMINDER)
    assert reminder.sent_to == ["priya.shah@example.org"]
    email = OutgoingEmail.objects.filter(subject__startswith="Reminder:").get()
    assert str(cycle.year if kind == ReturnKind.NEEDS else cycle) in email.subject

    if kind == ReturnKind.NEEDS:
        for section in ("staff", "needs", "single_agency"):
            tna_return.sections_done = [*tna_return.sections_done, section]
        tna_return.save()
    else:
        answer_all(police_lead, tna_return)
    tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=True)
    tna_services.reopen_return(actor=manager, tna_return=tna_return, reason="Please give figures by level")
    assert (
        OutgoingEmail.objects.filter(subject__endswith="has been reopened", to=["priya.shah@example.org"]).count() == 1
    )
    if kind == ReturnKind.AUDIT:
        answer_all(police_lead, tna_return, "Within two weeks, checked by HR monthly")
    tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=True)

    versions = list(tna_return.versions.order_by("number").values_list("number", "action"))
    assert versions == [(1, "submitted"), (2, "reopened"), (3, "submitted")]
    if kind == ReturnKind.AUDIT:
        assert tna_return.versions.get(number=3).changes[0].startswith("Answers, 1: Within four weeks")


def test_the_sub_committee_rates_only_submitted_answers(manager, police_lead):
    cycle = open_round(manager)
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    first = tna_return.answers.first()
    with pytest.raises(CommitteeError, match="once the agency has submitted"):
        services.rate_answers(actor=manager, tna_return=tna_return, ratings={first.pk: ("green", "")})
    answer_all(police_lead, tna_return)
    tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=True)
    with pytest.raises(CommitteeError, match="Only the training manager"):
        services.rate_answers(actor=police_lead, tna_return=tna_return, ratings={first.pk: ("green", "")})
    assert (
        services.rate_answers(
            actor=manager, tna_return=tna_return, ratings={first.pk: ("amber", "No check that it happens")}
        )
        == 1
    )
    rows = selectors.round_overview(cycle)
    assert [(r.agency.name, dict(r.ratings)) for r in rows] == [("Northshire Police", {"amber": 1})]


def test_the_audit_report_is_built_by_the_worker_and_reads_back(manager, police_lead, health_lead, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = open_round(manager)
    police_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    answer_all(police_lead, police_return, "Within four weeks of starting")
    tna_services.submit_return(actor=police_lead, tna_return=police_return, declaration=True)
    first = police_return.answers.first()
    services.rate_answers(
        actor=manager, tna_return=police_return, ratings={first.pk: ("red", "Eight weeks is too long")}
    )
    services.record_findings(actor=manager, cycle=cycle, text="Induction training is late in two agencies.")
    paper = services.request_audit_report(actor=manager, cycle=cycle)
    paper.refresh_from_db()
    assert paper.status == PaperStatus.DONE and paper.pages >= 1
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=paper.file.read(), capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Induction training is late in two agencies." in flat
    assert "1 of 2 agencies answered" in flat
    assert "Red: Eight weeks is too long" in flat
    assert "No answers submitted (draft)" in flat or "No answers submitted (not started)" in flat
    # Safe to run twice: a built paper is left alone.
    assert services.build_paper(paper.pk) is None
    assert CommitteePaper.objects.count() == 1


def test_board_members_read_the_audit_but_cannot_change_it(manager, police_lead, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = open_round(manager)
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    answer_all(police_lead, tna_return)
    tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=True)
    paper = services.request_audit_report(actor=manager, cycle=cycle)
    client.force_login(board_member(full_name="Ruth Evans"))
    for name, args in [
        ("committee:index", []),
        ("committee:audit", [cycle.pk]),
        ("committee:audit-return", [tna_return.pk]),
        ("committee:paper", [paper.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert client.get(reverse("committee:paper-download", args=[paper.pk])).status_code == 200
    first = tna_return.answers.first()
    refused = [
        ("committee:audit", [cycle.pk], {"text": "The Board's own view"}),
        ("committee:audit-rate", [tna_return.pk], {f"rating_{first.pk}": "green"}),
        ("committee:audit-reopen", [tna_return.pk], {"reason": "Board wants changes"}),
        ("committee:audit-answers", [tna_return.pk], {f"answer_{first.question_id}": "Board's answer"}),
        ("committee:audit-report", [cycle.pk], {}),
        ("committee:audit-new", [], {"title": "Board round"}),
    ]
    for name, args, data in refused:
        assert client.post(reverse(name, args=args), data).status_code == 403, name
    tna_return.refresh_from_db()
    assert tna_return.status == ReturnStatus.SUBMITTED
    assert not hasattr(cycle, "findings") or cycle.findings is None
    assert first.__class__.objects.get(pk=first.pk).text == "Within four weeks of starting"
    assert CommitteePaper.objects.count() == 1


def test_another_agencys_lead_cannot_see_an_audit_return(manager, police_lead, health_lead, client):
    cycle = open_round(manager)
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    client.force_login(health_lead)
    assert client.get(reverse("committee:audit-return", args=[tna_return.pk])).status_code == 404
    assert client.get(reverse("committee:audit-answers", args=[tna_return.pk])).status_code == 404


def test_a_lead_finds_their_return_and_answers_it_on_the_page(manager, police_lead, client):
    cycle = open_round(manager)
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    client.force_login(police_lead)
    assert client.get(reverse("committee:my-audit"))["Location"] == reverse(
        "committee:audit-return", args=[tna_return.pk]
    )
    fields = {
        f"answer_{a.question_id}": f"Answer {a.question.number}" for a in tna_return.answers.select_related("question")
    }
    response = client.post(reverse("committee:audit-answers", args=[tna_return.pk]), fields)
    assert response.status_code == 302
    response = client.post(reverse("committee:audit-check", args=[tna_return.pk]), {})
    assert "Confirm the declaration to submit the return" in response.content.decode()
    client.post(reverse("committee:audit-check", args=[tna_return.pk]), {"declaration": "on"})
    tna_return.refresh_from_db()
    assert tna_return.status == ReturnStatus.SUBMITTED


def test_requests_for_advice_are_kept_and_counted(manager, police_lead, health_lead):
    # Three questions asked, two by the police and one by health; one answered: 3 asked, 1 answered, 2 waiting.
    first = services.ask_advice(actor=police_lead, question="How often should our call handlers refresh level 1?")
    services.ask_advice(actor=police_lead, question="Can our trainers use the partnership's materials?")
    services.ask_advice(actor=health_lead, question="Is e-learning enough for induction?")
    services.answer_advice(actor=manager, request=first, answer="Every three years, as the pathway says.")
    counts = selectors.advice_counts()
    assert (counts.asked, counts.answered, counts.waiting) == (3, 1, 2)
    assert selectors.advice_for_user(police_lead).count() == 2
    assert OutgoingEmail.objects.filter(to=["priya.shah@example.org"], subject__contains="answered").count() == 1
    with pytest.raises(CommitteeError, match="Only an agency's lead"):
        services.ask_advice(actor=manager, question="Anything")


def test_the_sub_committee_adds_a_question_of_its_own_to_a_round(manager, police_lead, client):
    services.ensure_standard_questions()
    client.force_login(manager)
    deadline = (timezone.localdate() + timedelta(days=20)).strftime("%d/%m/%Y")
    refused = client.post(reverse("committee:audit-new"), {"title": "Audit", "deadline": deadline})
    assert "Choose at least one question" in refused.content.decode()
    client.post(
        reverse("committee:audit-new"),
        {
            "title": "Induction audit 2026",
            "deadline": deadline,
            "questions": [AuditQuestion.objects.get(number=1).pk],
            "extra_question": "How do volunteers get their induction?",
        },
    )
    cycle = TnaCycle.rounds.get(title="Induction audit 2026")
    assert [q.text.split(":")[0] for q in cycle.questions.all()] == [
        "Induction",
        "How do volunteers get their induction?",
    ]


def test_a_leads_unanswered_audit_is_on_their_to_do_list(manager, police_lead):
    from committee.selectors import todo_for

    cycle = open_round(manager)
    assert [(i.text, i.overdue) for i in todo_for(police_lead) if i.count] == [
        ("1 training audit return to send", False)
    ]
    TnaCycle.rounds.filter(pk=cycle.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert [(i.text, i.overdue) for i in todo_for(police_lead) if i.count] == [("1 late training audit return", True)]
    tna_return = TnaReturn.every_kind.get(cycle=cycle, agency=police_lead.agency)
    answer_all(police_lead, tna_return)
    tna_services.submit_return(actor=police_lead, tna_return=tna_return, declaration=True)
    assert [i for i in todo_for(police_lead) if i.count] == []


@pytest.mark.parametrize("kind", [ReturnKind.NEEDS, ReturnKind.AUDIT])
def test_one_engine_escalates_both_kinds_to_the_training_manager(kind, manager, police_lead):
    """Fourteen days after the deadline the training manager is told which agencies have not returned,
    once, by the same function for both kinds, in each kind's words."""
    if kind == ReturnKind.NEEDS:
        year = TrainingYear.objects.create(name="2027-28", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
        cycle = TnaCycle.objects.create(
            year=year, opens_on=timezone.localdate(), deadline=timezone.localdate() + timedelta(days=5)
        )
        tna_services.open_cycle(actor=manager, cycle=cycle)
    else:
        cycle = open_round(manager, deadline=timezone.localdate() + timedelta(days=5))
    TnaCycle.rounds.filter(pk=cycle.pk).update(deadline=timezone.localdate() - timedelta(days=15))
    tna_services.send_tna_reminders()
    tna_services.send_tna_reminders()
    escalations = OutgoingEmail.objects.filter(subject__endswith="has not returned")
    assert escalations.count() == 1
    assert escalations.get().subject.endswith(": 1 agency has not returned")
    assert escalations.get().to == ["helen.carter@example.org"]
    assert "Northshire Police" in escalations.get().body_text
    expected = "training needs return" if kind == ReturnKind.NEEDS else "answers to Single-agency training audit"
    assert expected in escalations.get().body_text
