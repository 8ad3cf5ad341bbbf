"""Joining the pool: apply, endorse, review, training for trainers; lapsing and leaving."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from accounts.roles import Role
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, SessionStatus
from courses.services.register import close_register
from pool import services
from pool.factories import MembershipCriterionFactory, MembershipFactory, active_member
from pool.models import Membership, MembershipStatus, PoolPolicy
from pool.services import PoolError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit, target_groups):
    """Emails and the register-closed signal follow each service call at once."""


@pytest.fixture
def police():
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def lead(police):
    return agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", email="helen.carter@example.org")


@pytest.fixture
def applicant(police):
    return UserFactory(full_name="Mark Evans", email="mark.evans@example.org", agency=police)


@pytest.fixture
def criteria():
    return [
        MembershipCriterionFactory(text="Two years' experience with children and families"),
        MembershipCriterionFactory(text="Agency will release three trainer days a year"),
    ]


@pytest.fixture
def course():
    return CourseFactory(title="Child Sexual Exploitation and Criminal Exploitation")


def apply(person, course):
    return services.apply(
        person=person,
        experience="Nine years in the public protection unit.",
        specialisms="Child exploitation",
        facilitation_experience="Delivers the force's exploitation briefings.",
        courses=[course],
    )


def statuses(membership):
    return [h.status for h in membership.history.all()]


def attend_training_for_trainers(person, manager):
    """Book, mark attended and close the register of a past training-for-trainers session."""
    tft = CourseFactory(title="Training for Trainers", is_training_for_trainers=True, duration_days="2.0")
    session = SessionFactory(course=tft, days_ahead=-3)
    booking = BookingFactory(session=session, person=person)
    AttendanceRecordFactory(session=session, person=person, booking=booking, outcome=Attendance.ATTENDED)
    close_register(actor=manager, session=session)
    return session


def test_the_whole_way_in_application_endorsement_acceptance_and_training_for_trainers(
    applicant, lead, manager, criteria, course
):
    membership = apply(applicant, course)
    assert membership.status == MembershipStatus.APPLIED
    assert mail.outbox[-1].to == ["priya.shah@example.org"]
    assert "Mark Evans" in mail.outbox[-1].subject

    services.endorse(actor=lead, membership=membership, endorsed=True, note="Strong candidate; we will release him.")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ENDORSED
    assert mail.outbox[-1].to == ["helen.carter@example.org"]

    services.review(actor=manager, membership=membership, accepted=True, criteria=criteria, reason="")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACCEPTED
    assert "training for trainers" in mail.outbox[-1].body
    assert not applicant.has_role(Role.TRAINER)

    session = attend_training_for_trainers(applicant, manager)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.trained_on == timezone.localtime(session.ends_at).date()
    assert statuses(membership) == ["applied", "endorsed", "accepted", "active"]
    assert Membership.objects.get(pk=membership.pk).person.has_role(Role.TRAINER)


def test_only_the_applicants_own_agency_lead_can_endorse(applicant, course):
    other_lead = agency_lead(agency=AgencyFactory(name="Riverside Academy Trust"))
    membership = apply(applicant, course)
    with pytest.raises(PoolError, match="lead of the applicant's agency"):
        services.endorse(actor=other_lead, membership=membership, endorsed=True, note="")
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.APPLIED


def test_not_endorsing_needs_a_reason_and_the_applicant_is_told_it(applicant, lead, course):
    membership = apply(applicant, course)
    with pytest.raises(PoolError, match="Say why"):
        services.endorse(actor=lead, membership=membership, endorsed=False, note="  ")
    services.endorse(
        actor=lead, membership=membership, endorsed=False, note="Cannot release him during the restructure."
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.NOT_ENDORSED
    assert "Cannot release him during the restructure." in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["mark.evans@example.org"]


def test_declining_needs_a_reason_and_a_declined_applicant_can_apply_again(applicant, lead, manager, course):
    membership = apply(applicant, course)
    services.endorse(actor=lead, membership=membership, endorsed=True, note="")
    with pytest.raises(PoolError, match="reason for declining"):
        services.review(actor=manager, membership=membership, accepted=False, criteria=[], reason="")
    services.review(
        actor=manager, membership=membership, accepted=False, criteria=[], reason="Needs more facilitation experience."
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.DECLINED
    again = apply(applicant, course)
    assert again.pk == membership.pk and again.status == MembershipStatus.APPLIED
    assert statuses(again) == ["applied", "endorsed", "declined", "applied"]


def test_applying_twice_while_an_application_is_open_is_refused(applicant, course):
    apply(applicant, course)
    with pytest.raises(PoolError, match="already have a pool membership"):
        apply(applicant, course)


def test_someone_with_no_agency_lead_goes_straight_to_the_training_manager(manager, course):
    volunteer = UserFactory(full_name="Jo Baker", agency=None, unlisted_organisation="1st Riverside Scouts")
    membership = apply(volunteer, course)
    assert services.awaits_review(membership)
    assert mail.outbox[-1].to == ["helen.carter@example.org"]


def test_a_returning_member_with_current_training_is_active_at_once(applicant, lead, manager, course):
    membership = MembershipFactory(
        person=applicant, status=MembershipStatus.ENDORSED, trained_on=date.today() - timedelta(days=100)
    )
    services.review(actor=manager, membership=membership, accepted=True, criteria=[], reason="Welcome back.")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


# --- Lapse rules ---------------------------------------------------------------------------------


def delivered(person, days_ago):
    session = SessionFactory(days_ahead=-days_ago)
    session.trainers.add(person)
    return session


def test_no_delivery_for_longer_than_the_rule_lapses_the_member():
    PoolPolicy.objects.update(months_without_delivery=24, training_valid_months=None)
    today = timezone.localdate()
    quiet = active_member(UserFactory(full_name="Quiet Trainer"), trained_days_ago=1000)
    busy = active_member(UserFactory(full_name="Busy Trainer"), trained_days_ago=1000)
    delivered(quiet.person, 24 * 31 + 5)  # just over 24 months ago
    delivered(busy.person, 23 * 30)  # 23 months ago

    preview = services.lapse_members(today=today, dry_run=True)
    assert [lapse.person for lapse in preview] == ["Quiet Trainer"]
    assert Membership.objects.get(pk=quiet.pk).status == MembershipStatus.ACTIVE  # a dry run changes nothing

    lapsed = services.lapse_members(today=today)
    assert [lapse.person for lapse in lapsed] == ["Quiet Trainer"]
    assert "No delivery in 24 months" in lapsed[0].reason
    assert Membership.objects.get(pk=quiet.pk).status == MembershipStatus.LAPSED
    assert Membership.objects.get(pk=busy.pk).status == MembershipStatus.ACTIVE
    assert services.lapse_members(today=today) == []  # safe to run twice
    assert Membership.objects.get(pk=quiet.pk).history.last().reason.startswith("No delivery")


def test_a_member_who_never_delivered_lapses_counting_from_becoming_active():
    PoolPolicy.objects.update(months_without_delivery=12, training_valid_months=None)
    member = active_member(trained_days_ago=400)  # active since 400 days ago, never delivered
    assert [lapse.membership_id for lapse in services.lapse_members()] == [member.pk]


def test_training_for_trainers_past_its_validity_lapses_the_member_and_a_refresher_reactivates(manager):
    PoolPolicy.objects.update(months_without_delivery=24, training_valid_months=36)
    member = active_member(trained_days_ago=365 * 3 + 10)
    delivered(member.person, 30)
    lapsed = services.lapse_members()
    assert len(lapsed) == 1 and "needs a refresher" in lapsed[0].reason
    member.refresh_from_db()
    assert member.status == MembershipStatus.LAPSED

    attend_training_for_trainers(member.person, manager)
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE
    assert member.trained_on == timezone.localdate() - timedelta(days=3)


def test_the_training_manager_cannot_reactivate_someone_whose_training_is_out_of_date(manager):
    PoolPolicy.objects.update(training_valid_months=36)
    member = MembershipFactory(
        status=MembershipStatus.LAPSED, trained_on=timezone.localdate() - timedelta(days=365 * 4)
    )
    with pytest.raises(PoolError, match="not current"):
        services.change_status(
            actor=manager, membership=member, status=MembershipStatus.ACTIVE, reason="Back from leave"
        )
    assert Membership.objects.get(pk=member.pk).status == MembershipStatus.LAPSED


def test_leaving_takes_the_trainer_role_away_but_not_with_sessions_still_to_deliver():
    member = active_member()
    future = SessionFactory(days_ahead=10)
    services.assign_trainer(actor=training_manager(), session=future, trainer=member.person, confirmed=True)
    with pytest.raises(PoolError, match="assigned to sessions"):
        services.leave_pool(person=member.person, reason="")
    future.status = SessionStatus.CANCELLED
    future.save()
    services.leave_pool(person=member.person, reason="New job out of area")
    member.refresh_from_db()
    assert member.status == MembershipStatus.LEFT
    assert not Membership.objects.get(pk=member.pk).person.has_role(Role.TRAINER)


# --- Pages ----------------------------------------------------------------------------------------


def test_an_application_with_missing_answers_shows_each_problem_and_saves_nothing(client, applicant, course):
    client.force_login(applicant)
    response = client.post(
        reverse("pool:apply"), {"experience": "", "specialisms": "Neglect", "facilitation_experience": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Describe your safeguarding experience" in page
    assert "Select at least one course you could help deliver" in page
    assert not Membership.objects.exists()


def test_a_lead_reviews_only_their_own_agencys_applicants(client, applicant, lead, course):
    membership = apply(applicant, course)
    client.force_login(lead)
    assert client.get(reverse("pool:endorse", args=[membership.pk])).status_code == 200
    other = agency_lead(agency=AgencyFactory(name="Northshire College"))
    client.force_login(other)
    assert client.get(reverse("pool:endorse", args=[membership.pk])).status_code == 404
    assert client.get(reverse("pool:member", args=[membership.pk])).status_code == 404


def test_accepting_needs_every_criterion_ticked(client, applicant, lead, manager, criteria, course):
    membership = apply(applicant, course)
    services.endorse(actor=lead, membership=membership, endorsed=True, note="")
    client.force_login(manager)
    response = client.post(
        reverse("pool:review", args=[membership.pk]), {"criteria": [criteria[0].pk], "decision": "accept"}
    )
    assert "it must meet every criterion" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.ENDORSED
    response = client.post(
        reverse("pool:review", args=[membership.pk]), {"criteria": [c.pk for c in criteria], "decision": "accept"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.ACCEPTED


def test_the_pool_directory_runs_the_same_queries_for_one_member_and_for_a_hundred(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = training_manager()
    client.force_login(manager)
    courses = [CourseFactory(), CourseFactory()]
    active_member(courses=courses)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("pool:members"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    one = count()
    agency = AgencyFactory()
    for _ in range(99):
        member = active_member(UserFactory(agency=agency), courses=courses)
        delivered(member.person, 40)
    assert count() == one
    assert client.get(reverse("pool:members") + "?export=csv").content.decode().count("\n") == 101


def test_the_pool_directory_shows_and_sorts_by_the_sessions_each_member_delivered(client):
    client.force_login(training_manager())
    busy = active_member(UserFactory(full_name="Busy Trainer"))
    quiet = active_member(UserFactory(full_name="Quiet Trainer"))
    active_member(UserFactory(full_name="New Trainer"))
    for days_ago in (10, 20, 30):
        delivered(busy.person, days_ago)
    last = delivered(quiet.person, 5)
    # Neither a cancelled session nor one still to come counts.
    cancelled = delivered(quiet.person, 15)
    cancelled.status = SessionStatus.CANCELLED
    cancelled.save()
    SessionFactory(days_ahead=10).trainers.add(quiet.person)

    def rows(query):
        html = client.get(reverse("pool:members") + query).content.decode()
        return [
            (name, html.split(f">{name}</a>")[1].split('data-label="Sessions delivered">')[1].split("<")[0])
            for name in sorted(("Busy Trainer", "Quiet Trainer", "New Trainer"), key=html.index)
        ]

    assert rows("?sort=-sessions_delivered") == [("Busy Trainer", "3"), ("Quiet Trainer", "1"), ("New Trainer", "0")]
    assert rows("?sort=sessions_delivered") == [("New Trainer", "0"), ("Quiet Trainer", "1"), ("Busy Trainer", "3")]
    latest_first = [name for name, _ in rows("?sort=-last_delivered")]
    assert latest_first.index("Quiet Trainer") < latest_first.index("Busy Trainer")
    html = client.get(reverse("pool:members")).content.decode()
    assert f"{timezone.localtime(last.ends_at):%-d %b %Y}" in html
    lines = list(csv.reader(io.StringIO(client.get(reverse("pool:members") + "?export=csv").content.decode())))
    counts = {line[0]: line[lines[0].index("Sessions delivered")] for line in lines[1:]}
    assert counts == {"Busy Trainer": "3", "Quiet Trainer": "1", "New Trainer": "0"}


def test_the_pool_directory_lists_the_courses_each_member_delivers_in_the_courses_order(client):
    client.force_login(training_manager())
    level = CourseFactory().level
    courses = [CourseFactory(title=title, level=level) for title in ("Neglect & thresholds", "Early help")]
    active_member(UserFactory(full_name="Both Courses"), courses=courses)
    active_member(UserFactory(full_name="No Courses"), courses=[])
    html = client.get(reverse("pool:members")).content.decode()
    assert '<span class="govuk-body-s">Early help; Neglect &amp; thresholds</span>' in html
    assert html.split(">No Courses</a>")[1].split('data-label="Courses they deliver">')[1].startswith("None chosen<")
    lines = list(csv.reader(io.StringIO(client.get(reverse("pool:members") + "?export=csv").content.decode())))
    chosen = {line[0]: line[lines[0].index("Courses they deliver")] for line in lines[1:]}
    assert chosen == {"Both Courses": "Early help; Neglect & thresholds", "No Courses": ""}
