"""Factories for the catalogue, sessions and bookings: used by tests and `seed_demo`.

Deterministic: course titles and venues come from fixed lists of real inter-agency courses.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.factories import UserFactory

from .models import (
    Attendance,
    AttendanceRecord,
    Booking,
    BookingPolicy,
    BookingStatus,
    Course,
    DeliveryMode,
    Level,
    PathwayRule,
    Session,
    SessionDate,
    Venue,
)

COURSE_TITLES = [
    "Working Together to Safeguard Children",
    "Recognising and Responding to Neglect",
    "Domestic Abuse and its Impact on Children",
    "Child Sexual Exploitation and Criminal Exploitation",
    "Child Protection Conferences and Core Groups",
    "Safeguarding Disabled Children",
    "Parental Mental Health and Substance Misuse",
    "Learning from Child Safeguarding Practice Reviews",
    "Harmful Sexual Behaviour",
    "Contextual Safeguarding",
]


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ("number",)

    number = 2
    name = factory.LazyAttribute(
        lambda o: {1: "Basic awareness", 2: "Inter-agency foundation", 3: "Inter-agency advanced", 4: "Specialist"}.get(
            o.number, f"Level {o.number}"
        )
    )


class BookingPolicyFactory(factory.django.DjangoModelFactory):
    """The one booking and charging policy. A migration creates it, but a test that empties the
    database (a browser journey) leaves none: this makes it again."""

    class Meta:
        model = BookingPolicy
        django_get_or_create = ("id",)

    id = 1


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("title",)
        skip_postgeneration_save = True

    title = factory.Sequence(
        lambda n: (
            COURSE_TITLES[n % len(COURSE_TITLES)]
            + ("" if n < len(COURSE_TITLES) else f" ({n // len(COURSE_TITLES) + 1})")
        )
    )
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "An inter-agency course for practitioners who work with children, young people and families."
    learning_outcomes = (
        "Describe the roles of partner agencies in safeguarding children\n"
        "Recognise signs of abuse and neglect\n"
        "Know how to share information and make a referral"
    )
    level = factory.SubFactory(LevelFactory)
    duration_days = Decimal("1.0")
    delivery_mode = DeliveryMode.FACE_TO_FACE
    inter_agency = True

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        django_get_or_create = ("name",)

    name = factory.Iterator(
        [
            "Northshire County Hall, Training Suite 2",
            "Riverside Community Centre",
            "Castlegate Police Headquarters, Learning Centre",
        ]
    )
    address = "County Hall\nMarket Street\nNorthtown"
    postcode = "NT1 2AB"
    access_information = (
        "Step-free access from the main entrance. Hearing loop in all rooms. Parking for blue badge holders."
    )


def in_days(days: int, hour: int = 9, minute: int = 30):
    day = timezone.localtime() + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _end_of_the_day(starts_at):
    """16:30 on the day, or three hours on for a session given a start late in the day (a test's "now"),
    so a session always ends after it starts, whatever the time the tests run."""
    half_past_four = starts_at.replace(hour=16, minute=30)
    return half_past_four if half_past_four > starts_at else starts_at + timedelta(hours=3)


class SessionFactory(factory.django.DjangoModelFactory):
    """A one-day session three weeks ahead, with a single date from 09:30 to 16:30."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    class Params:
        days_ahead = 21

    course = factory.SubFactory(CourseFactory)
    venue = factory.SubFactory(VenueFactory)
    capacity = 20
    starts_at = factory.LazyAttribute(lambda o: in_days(o.days_ahead))
    ends_at = factory.LazyAttribute(lambda o: _end_of_the_day(o.starts_at))
    bookings_close_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=2))
    venue_cost = Decimal("120.00")
    trainer_fees = Decimal("0.00")
    catering_cost = Decimal("90.00")
    materials_cost = Decimal("15.00")

    @factory.post_generation
    def dates(self, create, extracted, **kwargs):
        if create:
            SessionDate.objects.create(session=self, starts_at=self.starts_at, ends_at=self.ends_at)

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(UserFactory)
    agency = factory.LazyAttribute(lambda o: o.person.agency)
    status = BookingStatus.CONFIRMED


class AttendanceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceRecord

    booking = factory.SubFactory(BookingFactory)
    session = factory.LazyAttribute(lambda o: o.booking.session)
    person = factory.LazyAttribute(lambda o: o.booking.person)
    agency = factory.LazyAttribute(lambda o: o.person.agency)
    outcome = Attendance.ATTENDED


class PathwayRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathwayRule

    level = factory.SubFactory(LevelFactory)
    refresh_months = 36
