"""The pathway people can complete, and the price before booking: each test named after its rule."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, OrganisationCategoryFactory, TargetGroupFactory, UserFactory, agency_lead
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    CourseFactory,
    LevelFactory,
    PathwayRuleFactory,
    SessionFactory,
)
from courses.models import (
    Attendance,
    Booking,
    BookingPolicy,
    BookingStatus,
    Charge,
    ChargeKind,
    ExternalTraining,
    ExternalTrainingStatus,
    FeeRate,
)
from courses.selectors.training_record import Status, requirements_for
from courses.services.booking import BookingError, book_place, booking_terms
from courses.services.charges import raise_register_charge
from courses.services.pathway import PathwayError, decide_external_training, record_external_training

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Emails are queued on commit: send them as each service call returns."""


@pytest.fixture
def group():
    return TargetGroupFactory(number=2, name="Regular contact with children")


@pytest.fixture
def police(group):
    return AgencyFactory(name="Northshire Police", sector="police", contributing=False)


def person_in(group, agency, **kwargs):
    return UserFactory(target_group=group, agency=agency, **kwargs)


def attended(person, course, *, days_ago=60, outcome=Attendance.ATTENDED):
    session = SessionFactory(course=course, days_ahead=-days_ago)
    return AttendanceRecordFactory(booking=BookingFactory(session=session, person=person), outcome=outcome)


def requirement(person, label):
    return next(r for r in requirements_for([person])[person.pk] if r.label == label)


# --- The pathway ---------------------------------------------------------------------------


def test_partial_attendance_does_not_meet_a_requirement_unless_the_policy_says_so(group, police):
    level_2 = LevelFactory(number=2)
    rule = PathwayRuleFactory(target_group=group, level=level_2, refresh_months=36)
    person = person_in(group, police, full_name="Aisha Khan")
    attended(person, CourseFactory(title="Working Together to Safeguard Children", level=level_2), outcome="partial")

    assert requirement(person, str(rule.level)).status == Status.NOT_DONE

    policy = BookingPolicy.current()
    policy.partial_attendance_meets_requirement = True
    policy.save()
    assert requirement(person, str(rule.level)).status == Status.IN_DATE


def test_higher_level_meets_lower_level_requirement(group, police):
    level_1, level_2, level_3 = LevelFactory(number=1), LevelFactory(number=2), LevelFactory(number=3)
    PathwayRuleFactory(target_group=group, level=level_1, refresh_months=36)
    PathwayRuleFactory(target_group=group, level=level_2, refresh_months=36)
    person = person_in(group, police, full_name="Aisha Khan")
    record = attended(person, CourseFactory(title="Child Protection Conferences and Core Groups", level=level_3))

    for level in (level_1, level_2):
        met = requirement(person, str(level))
        assert met.status == Status.IN_DATE
        assert met.record_id == record.pk

    # Lower-level training never meets a higher requirement.
    PathwayRuleFactory(target_group=group, level=LevelFactory(number=4), refresh_months=36)
    assert requirement(person, str(LevelFactory(number=4))).status == Status.NOT_DONE


def test_a_named_course_requirement_is_met_only_by_that_course(group, police):
    level_2 = LevelFactory(number=2)
    named = CourseFactory(title="Safeguarding Disabled Children", level=level_2)
    PathwayRuleFactory(target_group=group, level=None, course=named, refresh_months=24)
    person = person_in(group, police)
    attended(person, CourseFactory(title="Contextual Safeguarding", level=LevelFactory(number=3)))
    assert requirement(person, named.title).status == Status.NOT_DONE
    attended(person, named)
    assert requirement(person, named.title).status == Status.IN_DATE


def test_level_1_is_met_by_training_done_elsewhere_once_the_agency_lead_confirms_it(group, police):
    level_1 = LevelFactory(number=1)
    PathwayRuleFactory(target_group=group, level=level_1, refresh_months=36)
    person = person_in(group, police, full_name="Aisha Khan")
    lead = agency_lead(agency=police, full_name="Priya Shah")
    record = record_external_training(
        actor=person,
        person=person,
        level=level_1,
        title="Safeguarding children: basic awareness",
        provider="Northshire Police e-learning",
        completed_on=timezone.localdate() - timedelta(days=30),
    )
    assert record.status == ExternalTrainingStatus.WAITING
    assert mail.outbox[-1].to == [lead.email]
    assert "Please confirm training Aisha Khan did elsewhere" == mail.outbox[-1].subject
    assert requirement(person, str(level_1)).status == Status.NOT_DONE  # not counted until confirmed

    with pytest.raises(PathwayError):
        decide_external_training(actor=person, record=record, confirm=True)  # nobody confirms their own
    with pytest.raises(PathwayError):
        decide_external_training(actor=agency_lead(agency=AgencyFactory()), record=record, confirm=True)

    decide_external_training(actor=lead, record=record, confirm=True)
    met = requirement(person, str(level_1))
    assert met.status == Status.IN_DATE
    assert met.met_by == "Safeguarding children: basic awareness (Northshire Police e-learning)"
    assert "has confirmed the training you recorded" in mail.outbox[-1].body


def test_declined_training_done_elsewhere_needs_a_reason_and_never_counts(group, police):
    level_1 = LevelFactory(number=1)
    PathwayRuleFactory(target_group=group, level=level_1)
    person = person_in(group, police)
    lead = agency_lead(agency=police)
    record = record_external_training(
        actor=person,
        person=person,
        level=level_1,
        title="Basic awareness",
        provider="Online",
        completed_on=date(2026, 1, 5),
    )
    with pytest.raises(PathwayError, match="Enter why"):
        decide_external_training(actor=lead, record=record, confirm=False)
    decide_external_training(actor=lead, record=record, confirm=False, reason="The certificate is for another person")
    assert requirement(person, str(level_1)).status == Status.NOT_DONE
    assert "Why: The certificate is for another person" in mail.outbox[-1].body


def test_recording_and_confirming_through_the_pages(client, group, police):
    level_1 = LevelFactory(number=1)
    PathwayRuleFactory(target_group=group, level=level_1)
    person = person_in(group, police, full_name="Aisha Khan")
    lead = agency_lead(agency=police, full_name="Priya Shah")
    client.force_login(person)
    page = client.get(reverse("courses:my-training")).content.decode()
    assert "record training you did elsewhere" in page

    bad = client.post(reverse("courses:external-training-new"), {"level": level_1.pk, "title": "", "provider": ""})
    assert bad.status_code == 200 and "Enter the name of the course or module" in bad.content.decode()
    assert not ExternalTraining.objects.exists()

    client.post(
        reverse("courses:external-training-new"),
        {
            "level": level_1.pk,
            "title": "Basic awareness",
            "provider": "Northshire e-learning",
            "completed_on": "05/01/2026",
        },
    )
    record = ExternalTraining.objects.get()
    assert (
        client.post(reverse("courses:external-training-decide", args=[record.pk]), {"decision": "confirm"}).status_code
        == 403
    )

    client.force_login(agency_lead(agency=AgencyFactory(name="Riverside Academy Trust")))
    assert client.get(reverse("courses:external-training-decide", args=[record.pk])).status_code == 404

    from courses.selectors.external_training import training_elsewhere_todo

    [todo] = training_elsewhere_todo(lead)
    assert todo.text == "1 record of training done elsewhere to confirm"
    assert todo.url == reverse("courses:external-training")
    client.force_login(lead)
    waiting = client.get(reverse("courses:external-training")).content.decode()
    assert "Aisha Khan" in waiting and "Basic awareness, Northshire e-learning" in waiting
    client.post(reverse("courses:external-training-decide", args=[record.pk]), {"decision": "confirm"})
    record.refresh_from_db()
    assert record.status == ExternalTrainingStatus.CONFIRMED and record.decided_by == lead


def test_my_training_shows_the_courses_that_would_meet_each_requirement(client, group, police):
    level_1, level_2 = LevelFactory(number=1), LevelFactory(number=2)
    PathwayRuleFactory(target_group=group, level=level_1)
    course = CourseFactory(title="Working Together to Safeguard Children", level=level_2)
    person = person_in(group, police)
    client.force_login(person)
    page = client.get(reverse("courses:my-training")).content.decode()
    # No Level 1 course runs here: the Level 2 courses (which also meet it) are offered, with links.
    assert f'href="{reverse("courses:course", args=[course.slug])}">Working Together to Safeguard Children</a>' in page
    # Nothing done reads as such, not as an expiry of "None".
    assert "Not in date" in page and ">None<" not in page


# --- Price and booking --------------------------------------------------------------------


@pytest.fixture
def school():
    category = OrganisationCategoryFactory(name="School or academy")
    FeeRate.objects.create(
        policy=BookingPolicy.current(), category=category, per_day=Decimal("50"), per_half_day=Decimal("30")
    )
    return AgencyFactory(name="Riverside Academy Trust", sector="education", category=category, contributing=False)


def test_the_price_shown_before_booking_is_the_fee_charged_after_attending(client, school):
    person = UserFactory(full_name="Tom Fletcher", agency=school)
    session = SessionFactory(course=CourseFactory(title="Recognising and Responding to Neglect"), days_ahead=30)
    client.force_login(person)
    page = client.get(reverse("courses:session", args=[session.pk])).content.decode()
    assert "£50.00" in page and "School or academy" in page
    confirm = client.get(reverse("courses:book", args=[session.pk])).content.decode()
    assert "£50.00" in confirm
    assert "Free until the end of" in confirm and "10 working days before the start" in confirm
    assert "After that, cancelling a place costs £50.00" in confirm
    assert "Not attending without cancelling costs £75.00" in confirm

    response = client.post(reverse("courses:book", args=[session.pk]), {"access_needs": "Wheelchair user; vegan lunch"})
    booking = Booking.objects.get(person=person)
    assert response.url == reverse("courses:booking", args=[booking.pk])
    assert booking.access_needs == "Wheelchair user; vegan lunch"
    assert "Wheelchair user; vegan lunch" in client.get(response.url).content.decode()

    record = AttendanceRecordFactory(booking=booking)
    charge = raise_register_charge(record=record)
    assert charge.amount == Decimal("50.00") and charge.kind == ChargeKind.FEE


def test_a_contributing_partners_staff_are_told_the_course_is_free_and_why(client):
    person = UserFactory(agency=AgencyFactory(name="Northshire Police", contributing=True))
    session = SessionFactory()
    client.force_login(person)
    page = client.get(reverse("courses:book", args=[session.pk])).content.decode()
    assert "Free." in page and "Northshire Police is a contributing partner" in page


def test_unlisted_organisation_can_book_only_courses_free_for_everyone(client, school):
    person = UserFactory(full_name="Sam Newman", agency=None, unlisted_organisation="Little Acorns Nursery")
    paid = SessionFactory(course=CourseFactory(title="Contextual Safeguarding"))
    free = SessionFactory(
        course=CourseFactory(title="Annual Safeguarding Conference", charge_exempt=True), days_ahead=40
    )

    terms = booking_terms(person=person, session=paid)
    assert "Little Acorns Nursery, is not yet in the list of partner agencies" in terms.refusal
    with pytest.raises(BookingError):
        book_place(person=person, session=paid)
    assert book_place(person=person, session=free).status == BookingStatus.CONFIRMED

    client.force_login(person)
    page = client.get(reverse("courses:session", args=[paid.pk])).content.decode()
    assert "only free courses can be booked" in page
    assert (
        "you can book only courses that are free for everyone"
        in client.get(reverse("courses:my-training")).content.decode()
    )
    # With no agency there is nobody to pass the place to.
    booking = Booking.objects.get(person=person)
    page = client.get(reverse("courses:booking", args=[booking.pk])).content.decode()
    assert "pass this place" not in page.lower()
    assert "not confirmed staff of an agency when booked, so the place cannot be passed to a colleague" in page


def test_duplicate_warnings_booking_training_already_in_date_needs_confirming(client, police):
    course = CourseFactory(title="Domestic Abuse and its Impact on Children")
    person = UserFactory(agency=police)
    attended(person, course, days_ago=90)
    session = SessionFactory(course=course)

    terms = booking_terms(person=person, session=session)
    assert any("already in date for this course" in w for w in terms.warnings)
    with pytest.raises(BookingError, match="Confirm you still want the place"):
        book_place(person=person, session=session)

    client.force_login(person)
    page = client.post(reverse("courses:book", args=[session.pk]), {}).content.decode()
    assert "Tick the box to confirm you still want it" in page
    assert not Booking.objects.filter(session=session).exists()
    client.post(reverse("courses:book", args=[session.pk]), {"accept_warnings": "on"})
    assert Booking.objects.get(session=session, person=person).status == BookingStatus.CONFIRMED


def test_duplicate_warnings_a_second_place_on_the_same_course_is_refused_but_a_waiting_list_is_a_warning(police):
    course = CourseFactory(title="Harmful Sexual Behaviour")
    person = UserFactory(agency=police)
    first = SessionFactory(course=course, days_ahead=20)
    book_place(person=person, session=first)
    second = SessionFactory(course=course, days_ahead=40)
    assert "already booked on this course on" in booking_terms(person=person, session=second).refusal

    full = SessionFactory(course=course, days_ahead=10, capacity=1)
    book_place(person=UserFactory(agency=police), session=full)
    terms = booking_terms(person=person, session=full)
    assert terms.allowed and terms.waitlisted
    assert any("already booked on this course on" in w for w in terms.warnings)
    waiting = book_place(person=person, session=full, accept_warnings=True)
    assert waiting.status == BookingStatus.WAITLISTED


def test_no_charge_is_raised_for_a_free_course_and_the_page_says_free(client, school):
    person = UserFactory(agency=school)
    session = SessionFactory(
        course=CourseFactory(title="Learning from Child Safeguarding Practice Reviews", charge_exempt=True)
    )
    client.force_login(person)
    assert (
        "This course is free for everyone." in client.get(reverse("courses:book", args=[session.pk])).content.decode()
    )
    booking = book_place(person=person, session=session)
    assert raise_register_charge(record=AttendanceRecordFactory(booking=booking)) is None
    assert not Charge.objects.exists()


def test_duplicate_warnings_a_lead_booking_a_colleague_confirms_them_too(client, police):
    course = CourseFactory(title="Safeguarding Disabled Children")
    colleague = UserFactory(full_name="Aisha Khan", email="aisha.khan@northshire-police.example.org", agency=police)
    attended(colleague, course, days_ago=30)
    session = SessionFactory(course=course)
    client.force_login(agency_lead(agency=police))
    url = reverse("courses:book", args=[session.pk])
    page = client.post(url, {"person": colleague.email}).content.decode()
    assert "They are already in date for this course" in page
    assert not Booking.objects.filter(session=session).exists()
    client.post(url, {"person": colleague.email, "accept_warnings": "on"})
    assert Booking.objects.get(session=session).person == colleague


@pytest.mark.parametrize(
    "who, exempt, expected",
    [
        # A school pays its category's £50.00 a day; a two-day course is £100.00.
        ("school", False, Decimal("100.00")),
        ("contributing", False, None),
        ("no agency", False, None),
        ("school", True, None),
    ],
    ids=["school-pays", "contributing-partner-free", "no-agency-free", "exempt-course-free"],
)
def test_the_price_on_the_session_page_is_exactly_the_fee_the_register_raises(client, school, who, exempt, expected):
    agency = {
        "school": school,
        "contributing": AgencyFactory(name="Northshire Police", contributing=True),
        "no agency": None,
    }[who]
    person = UserFactory(agency=agency, claimed_agency=school if agency is None else None)
    course = CourseFactory(title="Child Protection Conferences and Core Groups", duration_days=Decimal("2.0"))
    course.charge_exempt = exempt
    course.save()
    session = SessionFactory(course=course, days_ahead=40)
    client.force_login(person)
    page = client.get(reverse("courses:session", args=[session.pk])).content.decode()
    booking = book_place(person=person, session=session)
    charge = raise_register_charge(record=AttendanceRecordFactory(booking=booking))
    assert (charge.amount if charge else None) == expected
    if expected:
        assert "<strong>£100.00</strong>" in page
    else:
        assert "<strong>Free.</strong>" in page


def test_duplicate_warnings_a_refresher_booked_near_expiry_is_not_warned_about(group, police):
    level_2 = LevelFactory(number=2)
    PathwayRuleFactory(target_group=group, level=level_2, refresh_months=36)
    course = CourseFactory(title="Working Together to Safeguard Children", level=level_2)
    person = person_in(group, police)
    # Done almost three years ago: it expires within three months of the session.
    attended(person, course, days_ago=3 * 365 - 60)
    terms = booking_terms(person=person, session=SessionFactory(course=course, days_ahead=21))
    assert terms.allowed and not terms.warnings


def test_the_records_waiting_to_be_confirmed_are_counted_as_they_are_listed(group, police):
    """The pages that link to the records waiting (the agency's summary, the to-do list) count them in the
    database: the same number the list shows each person, whoever may confirm them."""
    from accounts.factories import training_manager
    from courses.selectors.external_training import how_many_wait_for, waiting_for

    level_1 = LevelFactory(number=1)
    riverside = AgencyFactory(name="Riverside Academy Trust")
    lead, other_lead = agency_lead(agency=police), agency_lead(agency=riverside)
    for agency, status in ((police, "waiting"), (police, "waiting"), (police, "confirmed"), (riverside, "waiting")):
        ExternalTraining.objects.create(
            person=person_in(group, agency),
            level=level_1,
            title="Basic awareness",
            provider="Northshire e-learning",
            completed_on=date(2026, 1, 5),
            status=status,
        )
    for user, waiting in ((lead, 2), (other_lead, 1), (training_manager(), 3), (person_in(group, police), 0)):
        assert how_many_wait_for(user) == len(waiting_for(user)) == waiting
