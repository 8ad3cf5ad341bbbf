"""The training sub-committee: the training manager records a meeting and its minutes, the owner of an
action closes it, a Board member reads them; an audit round is opened, answered by two agency leads (one
reminded first), rated, and its report built and read back."""

import subprocess
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, training_manager
from committee.models import Action, ActionStatus, MemberRole
from committee.services import add_member, ensure_standard_questions
from tna import services as tna_services
from tna.models import ReminderKind, ReminderLog, ReturnStatus, TnaReturn

pytestmark = pytest.mark.django_db(transaction=True)


def menu(page, name):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def test_a_meeting_is_minuted_its_action_closed_by_its_owner_and_read_by_the_board(visitor, target_groups):
    police = AgencyFactory(name="Northshire Police", sector="police")
    health = AgencyFactory(name="Northshire Community Health NHS Trust", sector="health")
    manager = training_manager(full_name="Helen Carter", email="helen.carter@example.org", agency=None)
    priya = agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)
    board_member(full_name="Ruth Evans", email="ruth.evans@example.org")
    add_member(actor=manager, person=priya, role=MemberRole.MEMBER, joined_on=date(2025, 1, 6))
    add_member(
        actor=manager,
        person=UserFactory(full_name="Marcus Bell", agency=health),
        role=MemberRole.MEMBER,
        joined_on=date(2025, 1, 6),
    )
    held_on = timezone.localdate() - timedelta(days=60)

    page = visitor.sign_in("helen.carter@example.org")
    menu(page, "Sub-committee")
    visitor.check()
    page.get_by_role("link", name="Record a meeting").click()
    visitor.check()
    page.get_by_label("Date of the meeting").fill(held_on.strftime("%d/%m/%Y"))
    page.get_by_label("Agenda").fill("Minutes of the last meeting\nTraining needs analysis results\nProgramme 2027-28")
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_role("heading", name="Sub-committee meeting")).to_be_visible()
    visitor.check()

    page.get_by_role("link", name="Add a paper").click()
    page.get_by_label("Title of the paper").fill("Attendance against need")
    page.get_by_label("Address of the page on this service").fill("https://elsewhere.example.com/")
    page.get_by_role("button", name="Add paper").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Link to a page of this service, not another site")
    visitor.check()
    page.get_by_label("Address of the page on this service").fill("/tna/attendance")
    page.get_by_role("button", name="Add paper").click()

    page.get_by_role("link", name="Record who attended").click()
    visitor.check()
    page.locator(f"input[name=status_{police.pk}][value=attended]").check()
    page.get_by_label("Northshire Police: who attended or sent apologies").fill("Priya Shah")
    page.locator(f"input[name=status_{health.pk}][value=apologies]").check()
    page.get_by_label("Northshire Community Health NHS Trust: who attended or sent apologies").fill("Marcus Bell")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("cell", name="Sent apologies")).to_be_visible()

    for decision in ("Training needs analysis results accepted", "Programme 2027-28 approved"):
        page.get_by_role("link", name="Add a decision").click()
        page.get_by_label("Decision").fill(decision)
        page.get_by_role("button", name="Add decision").click()
    page.get_by_role("link", name="Add an action").click()
    visitor.check()
    page.get_by_label("Action", exact=True).fill("Send the police's induction figures to the training manager")
    page.get_by_label("Owner").select_option(label="Priya Shah")
    page.get_by_label("Due date").fill((held_on + timedelta(days=30)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Programme 2027-28 approved")).to_be_visible()
    expect(page.get_by_role("cell", name="Overdue")).to_be_visible()
    visitor.check()
    page.get_by_role("button", name="Sign out").click()

    # The owner follows the link in the email she was sent.
    page = visitor.sign_in("priya.shah@example.org")
    visitor.go("/committee/actions")
    expect(page.get_by_role("cell", name="Overdue")).to_be_visible()
    page.get_by_role("link", name="Close the action").click()
    visitor.check()
    page.get_by_label("What was done").fill("Sent on 3 March: 96% of new officers trained within four weeks.")
    page.get_by_role("button", name="Close the action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action closed")
    visitor.check()
    action = Action.objects.get()
    assert (action.status, action.closed_by) == (ActionStatus.DONE, priya)
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("ruth.evans@example.org")
    menu(page, "Sub-committee")
    page.get_by_role("link", name="Sub-committee meeting").first.click()
    expect(page.get_by_text("Programme 2027-28 approved")).to_be_visible()
    expect(page.locator("#main-content").get_by_role("link", name="Attendance against need")).to_be_visible()
    expect(page.get_by_role("link", name="Add a decision")).to_have_count(0)
    visitor.check()


def answer_and_submit(visitor, page, text):
    page.get_by_role("link", name="Your answers").click()
    visitor.check()
    for box in page.locator("textarea").all():
        box.fill(text)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved as a draft")
    page.get_by_role("link", name="Check your answers and submit").click()
    visitor.check()
    page.get_by_label("I confirm that these figures are accurate").check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("are submitted")


def test_an_audit_round_is_answered_rated_and_reported_to_the_board(visitor, target_groups, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_standard_questions()
    police = AgencyFactory(name="Northshire Police", sector="police")
    health = AgencyFactory(name="Northshire Community Health NHS Trust", sector="health")
    training_manager(full_name="Helen Carter", email="helen.carter@example.org", agency=None)
    agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)
    agency_lead(full_name="Marcus Bell", email="marcus.bell@example.org", agency=health)

    page = visitor.sign_in("helen.carter@example.org")
    menu(page, "Sub-committee")
    page.get_by_role("link", name="Open an audit round").click()
    visitor.check()
    page.get_by_label("Title of the round").fill("Single-agency training audit 2026")
    page.get_by_label("Deadline for answers").fill((timezone.localdate() + timedelta(days=5)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Open the round and email the agency leads").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 agencies' leads have been emailed")
    visitor.check()
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("priya.shah@example.org")
    menu(page, "Training audit")
    visitor.check()
    answer_and_submit(visitor, page, "New officers complete level 1 within four weeks; HR checks monthly.")
    page.get_by_role("button", name="Sign out").click()

    # The beat's hourly run: seven days before the deadline has passed, so health (not yet answered) is reminded.
    assert tna_services.send_tna_reminders() == 1
    reminded = ReminderLog.objects.filter(kind=ReminderKind.REMINDER)
    assert [r.agency for r in reminded] == [health]

    page = visitor.sign_in("marcus.bell@example.org")
    menu(page, "Training audit")
    answer_and_submit(visitor, page, "Induction within two weeks for clinical staff; level 3 at 81% in date.")
    page.get_by_role("button", name="Sign out").click()
    assert set(TnaReturn.every_kind.values_list("status", flat=True)) == {ReturnStatus.SUBMITTED}

    page = visitor.sign_in("helen.carter@example.org")
    menu(page, "Sub-committee")
    page.get_by_role("link", name="Single-agency training audit 2026").click()
    for agency, rating, comment in (
        ("Northshire Police", "amber", "Four weeks is within the standard; no check of practice."),
        ("Northshire Community Health NHS Trust", "green", "Meets the standard."),
    ):
        page.get_by_role("link", name=agency).click()
        page.get_by_role("link", name="Rate the answers").click()
        visitor.check()
        for radio in page.locator(f"input[type=radio][value={rating}]").all():
            radio.check()
        page.get_by_label("Comment on question 1").fill(comment)
        page.get_by_role("button", name="Save ratings").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Ratings saved")
        page.get_by_role("link", name="Back to the round").click()
    expect(page.get_by_role("cell", name="0 red, 5 amber, 0 green")).to_be_visible()
    page.get_by_label("The sub-committee's findings").fill(
        "Both agencies train new staff within four weeks. The police should check training reaches practice."
    )
    page.get_by_role("button", name="Save findings").click()
    visitor.check()
    page.get_by_role("button", name="Build the audit report (PDF)").click()
    expect(page.get_by_role("heading", name="The paper is ready")).to_be_visible()
    visitor.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the paper (PDF)").click()
    pdf = tmp_path / "audit.pdf"
    download.value.save_as(pdf)
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Single-agency training audit 2026" in text
    assert "The police should check training reaches practice." in text
    assert "2 of 2 agencies answered" in text
    assert "Amber: Four weeks is within the standard; no check of practice." in text
    assert "Green: Meets the standard." in text


def test_a_practice_issue_is_taken_to_a_meeting_given_an_action_and_the_committees_paper_built(
    visitor, target_groups, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    AgencyFactory(name="Northshire Police", sector="police")
    manager = training_manager(full_name="Helen Carter", email="helen.carter@example.org", agency=None)
    from committee.services import create_meeting
    from evaluation.services import raise_issue

    create_meeting(actor=manager, held_on=timezone.localdate() - timedelta(days=14), agenda="Practice issues")
    raise_issue(
        actor=manager,
        title="Front desks do not know the referral route",
        description="Four delegates on the neglect course said reception staff turn families away.",
    )

    page = visitor.sign_in("helen.carter@example.org")
    menu(page, "Sub-committee")
    page.get_by_role("link", name="Practice issues for the audit and evaluation committee").click()
    visitor.check()
    page.get_by_role("link", name="Front desks do not know the referral route").click()
    visitor.check()
    page.get_by_label("Meeting it goes to").select_option(index=1)
    page.get_by_role("button", name="Take it to the meeting").click()
    expect(page.locator(".govuk-tag")).to_have_text("Taken to committee")
    visitor.check()
    page.get_by_role("button", name="Record the action agreed").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the action agreed")
    visitor.check()
    page.get_by_label("Action agreed").fill("Brief every front desk on the referral route")
    page.get_by_label("Agency that owns the action").select_option(label="Northshire Police")
    page.get_by_label("Due date").fill((timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Record the action agreed").click()
    expect(page.get_by_text("Overdue")).to_be_visible()
    visitor.check()
    page.get_by_role("link", name="All practice issues").click()
    page.get_by_label("New and closed since").fill((timezone.localdate() - timedelta(days=30)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Build the paper (PDF)").click()
    expect(page.get_by_role("heading", name="The paper is ready")).to_be_visible()
    visitor.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the paper (PDF)").click()
    pdf = tmp_path / "issues.pdf"
    download.value.save_as(pdf)
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "1 new, 1 overdue, 0 closed" in text
    assert "Brief every front desk on the referral route Northshire Police" in text


def test_the_programme_plan_and_the_years_money_are_kept_and_read(visitor, target_groups):
    from decimal import Decimal

    from courses.factories import CourseFactory, SessionFactory
    from tna.models import TrainingYear

    today = timezone.localdate()
    year = TrainingYear.objects.create(
        name="2026-27",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=265),
        central_costs=Decimal("36500"),
    )
    AgencyFactory(name="Northshire Police", sector="police")
    course = CourseFactory(title="Recognising and Responding to Neglect")
    SessionFactory(course=course, days_ahead=20)
    training_manager(full_name="Helen Carter", email="helen.carter@example.org", agency=None)
    board_member(full_name="Ruth Evans", email="ruth.evans@example.org")

    page = visitor.sign_in("helen.carter@example.org")
    menu(page, "Sub-committee")
    page.get_by_role("link", name="Programme plan 2026-27").click()
    visitor.check()
    page.get_by_role("link", name="Record a change evaluation led to").click()
    page.get_by_label("Course").select_option(label="Recognising and Responding to Neglect")
    page.get_by_label("What evaluation found").fill("The afternoon exercise ran over.")
    page.get_by_label("What was changed because of it").fill("A full day, with the referral pathway first.")
    page.get_by_role("button", name="Record the change").click()
    expect(page.get_by_text("A full day, with the referral pathway first.")).to_be_visible()
    visitor.check()
    menu(page, "Sub-committee")
    page.get_by_role("link", name="Money 2026-27").click()
    visitor.check()
    page.get_by_role("link", name="Record money received").click()
    visitor.check()
    page.get_by_label("Agency contribution").check()
    page.get_by_role("button", name="Record money received").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    visitor.check()
    page.get_by_label("Agency", exact=True).select_option(label="Northshire Police")
    page.get_by_label("Amount received").fill("5000")
    page.get_by_label("Date received").fill(today.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Record money received").click()
    expect(page.get_by_role("cell", name="£5,000.00").first).to_be_visible()
    page.get_by_role("link", name="Set the value of a trainer day").click()
    page.get_by_label("Value of a trainer day").fill("250")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Who delivered the sessions").click()
    visitor.check()
    page.get_by_role("link", name="Change").first.click()
    page.get_by_label("A commissioned provider").check()
    page.get_by_label("Commissioned provider", exact=True).fill("Safe Lives Training Ltd")
    page.get_by_label("Cost of the commissioned provider").fill("1200")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A commissioned provider: Safe Lives Training Ltd")).to_be_visible()
    visitor.check()
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("ruth.evans@example.org")
    visitor.go(f"/committee/years/{year.pk}/money")
    expect(page.get_by_role("cell", name="£1,200.00").first).to_be_visible()
    expect(page.get_by_role("link", name="Record money received")).to_have_count(0)
