"""The register and booking tallies (courses.models.RegisterTally, BookingTally) are kept by the database:
whatever writes the lines and bookings, and however, each tally stays what counting the rows would give."""

import importlib
import sqlite3
from collections import Counter

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from accounts.factories import AgencyFactory, UserFactory
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import (
    Attendance,
    AttendanceRecord,
    Booking,
    BookingStatus,
    BookingTally,
    RegisterTally,
)

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("courses.migrations.0012_counts_kept_by_the_database")


def counted_lines() -> Counter:
    return Counter(
        (line.session_id, line.outcome, line.walk_in, line.booking_id is not None)
        for line in AttendanceRecord.objects.all()
    )


def tallied_lines() -> dict:
    return {(t.session_id, t.outcome, t.walk_in, t.booked): t.lines for t in RegisterTally.objects.all() if t.lines}


def counted_bookings() -> Counter:
    return Counter((b.session_id, b.status, b.late_cancellation) for b in Booking.objects.all())


def tallied_bookings() -> dict:
    return {(t.session_id, t.status, t.late_cancellation): t.bookings for t in BookingTally.objects.all() if t.bookings}


@pytest.fixture
def sessions():
    course = CourseFactory(title="Working Together to Safeguard Children")
    return [SessionFactory(course=course, days_ahead=-30), SessionFactory(course=course, days_ahead=-20)]


@pytest.fixture
def school():
    return AgencyFactory(name="Riverside Academies Trust", sector="education")


def test_a_register_marked_and_corrected_is_counted_as_it_stands(sessions, school):
    first, second = sessions
    booked = [AttendanceRecordFactory(booking__session=first, booking__person__agency=school) for _ in range(3)]
    AttendanceRecordFactory(booking=None, session=first, person=UserFactory(agency=school), agency=school, walk_in=True)
    booked[0].outcome = Attendance.NO_SHOW
    booked[0].save()
    # A correction made in bulk, as an import or the admin would make it.
    AttendanceRecord.objects.filter(pk=booked[1].pk).update(outcome=Attendance.PARTIAL)
    # A line moved to the session the delegate really came to.
    AttendanceRecord.objects.filter(pk=booked[2].pk).update(session=second)

    assert tallied_lines() == {
        (first.pk, Attendance.ATTENDED, True, False): 1,
        (first.pk, Attendance.NO_SHOW, False, True): 1,
        (first.pk, Attendance.PARTIAL, False, True): 1,
        (second.pk, Attendance.ATTENDED, False, True): 1,
    }
    assert counted_bookings() == tallied_bookings() == {(first.pk, BookingStatus.CONFIRMED, False): 3}


def test_lines_and_bookings_written_in_bulk_and_deleted_are_counted(sessions, school):
    first, _ = sessions
    people = UserFactory.create_batch(4, agency=school)
    bookings = Booking.objects.bulk_create(
        Booking(session=first, person=p, agency=school, status=BookingStatus.CONFIRMED) for p in people
    )
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(session=first, person=b.person, booking=b, agency=school, outcome=Attendance.ATTENDED)
        for b in bookings
    )
    Booking.objects.filter(pk=bookings[0].pk).update(status=BookingStatus.CANCELLED, late_cancellation=True)
    AttendanceRecord.objects.filter(booking=bookings[0]).delete()

    assert tallied_lines() == {(first.pk, Attendance.ATTENDED, False, True): 3}
    assert tallied_bookings() == {
        (first.pk, BookingStatus.CONFIRMED, False): 3,
        (first.pk, BookingStatus.CANCELLED, True): 1,
    }


OUTCOMES = st.sampled_from([a.value for a in Attendance])
STATUSES = st.sampled_from([s.value for s in BookingStatus])
# Each step: (what to do, which row or session by position, a value). The rows are picked by position among
# those there are, so every step applies to whatever the earlier steps left.
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "book",
                "mark",
                "walk in",
                "change outcome",
                "update outcomes",
                "move line",
                "delete line",
                "cancel",
                "update statuses",
                "move booking",
                "delete booking",
                "raw",
            ]
        ),
        st.integers(min_value=0, max_value=50),
        st.one_of(OUTCOMES, STATUSES),
        st.booleans(),
    ),
    max_size=12,
)


@given(steps=STEPS)
def test_any_sequence_of_writes_leaves_each_tally_equal_to_counting_the_rows(sessions, school, steps):
    """Whatever a sequence of saves, bulk updates, moves, deletions and raw SQL did, the tallies are what
    counting the lines and bookings gives."""
    for action, pick, value, flag in steps:
        session = sessions[pick % 2]
        lines = list(AttendanceRecord.objects.order_by("pk"))
        bookings = list(Booking.objects.order_by("pk"))
        line = lines[pick % len(lines)] if lines else None
        booking = bookings[pick % len(bookings)] if bookings else None
        outcome = value if value in Attendance.values else Attendance.ATTENDED
        status = value if value in BookingStatus.values else BookingStatus.CANCELLED
        if action == "book":
            BookingFactory(session=session, person=UserFactory(agency=school), status=status, late_cancellation=flag)
        elif action == "mark" and booking and not AttendanceRecord.objects.filter(booking=booking).exists():
            AttendanceRecordFactory(booking=booking, session=booking.session, outcome=outcome)
        elif action == "walk in":
            person = UserFactory(agency=school)
            AttendanceRecordFactory(booking=None, session=session, person=person, walk_in=flag, outcome=outcome)
        elif action == "change outcome" and line:
            line.outcome, line.walk_in = outcome, flag
            line.save()
        elif action == "update outcomes":
            AttendanceRecord.objects.filter(session=session).update(outcome=outcome)
        elif action == "move line" and line:
            if not AttendanceRecord.objects.filter(session=session, person=line.person_id).exists():
                AttendanceRecord.objects.filter(pk=line.pk).update(session=session)
        elif action == "delete line" and line:
            line.delete()
        elif action == "cancel" and booking:
            booking.status, booking.late_cancellation = BookingStatus.CANCELLED, flag
            booking.save()
        elif action == "update statuses":
            Booking.objects.filter(session=session).update(status=status)
        elif action == "move booking" and booking:
            Booking.objects.filter(pk=booking.pk).update(session=session)
        elif action == "delete booking" and booking:
            AttendanceRecord.objects.filter(booking=booking).delete()
            booking.delete()
        elif action == "raw" and line:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE courses_attendancerecord SET booking_id = NULL, walk_in = %s WHERE id = %s",
                    [flag, line.pk],
                )
    assert tallied_lines() == counted_lines()
    assert tallied_bookings() == counted_bookings()


# The triggers are written twice, for PostgreSQL and for SQLite (the embedded default). The suite runs on one
# of them; the other's triggers are tried here, on a bare table of the same columns, whichever it is.

SQLITE_TABLES = [
    """CREATE TABLE courses_attendancerecord (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL,
    outcome VARCHAR(10) NOT NULL, walk_in BOOL NOT NULL, booking_id INTEGER NULL)""",
    """CREATE TABLE courses_registertally (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL,
    outcome VARCHAR(10) NOT NULL, walk_in BOOL NOT NULL, booked BOOL NOT NULL, lines INTEGER NOT NULL,
    UNIQUE (session_id, outcome, walk_in, booked))""",
    """CREATE TABLE courses_booking (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL,
    status VARCHAR(20) NOT NULL, late_cancellation BOOL NOT NULL)""",
    """CREATE TABLE courses_bookingtally (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL,
    status VARCHAR(20) NOT NULL, late_cancellation BOOL NOT NULL, bookings INTEGER NOT NULL,
    UNIQUE (session_id, status, late_cancellation))""",
]


@given(
    lines=st.lists(st.tuples(st.integers(1, 3), OUTCOMES, st.booleans(), st.booleans()), max_size=12),
    changes=st.lists(st.tuples(st.integers(0, 11), st.integers(1, 3), OUTCOMES, st.booleans()), max_size=8),
    deleted=st.lists(st.integers(0, 11), max_size=4),
)
def test_the_sqlite_triggers_keep_the_tallies(lines, changes, deleted):
    db = sqlite3.connect(":memory:")
    for statement in SQLITE_TABLES:
        db.execute(statement)
    db.execute("INSERT INTO courses_attendancerecord VALUES (100, 1, 'attended', 0, 7)")  # there before
    for statement in MIGRATION._statements("sqlite"):
        db.execute(statement)
    for i, (session, outcome, walk_in, booked) in enumerate(lines):
        db.execute(
            "INSERT INTO courses_attendancerecord VALUES (?, ?, ?, ?, ?)",
            (i, session, outcome, walk_in, i if booked else None),
        )
        db.execute("INSERT INTO courses_booking VALUES (?, ?, ?, ?)", (i, session, outcome, walk_in))
    for i, session, outcome, flag in changes:
        db.execute(
            "UPDATE courses_attendancerecord SET session_id = ?, outcome = ?, walk_in = ? WHERE id = ?",
            (session, outcome, flag, i),
        )
        db.execute("UPDATE courses_booking SET late_cancellation = ?, status = ? WHERE id = ?", (flag, outcome, i))
    for i in deleted:
        db.execute("DELETE FROM courses_attendancerecord WHERE id = ?", (i,))
        db.execute("DELETE FROM courses_booking WHERE id = ?", (i,))

    def same(counted, tallied):
        assert dict(map(_split, db.execute(counted))) == dict(map(_split, db.execute(tallied)))

    same(
        "SELECT session_id, outcome, walk_in, booking_id IS NOT NULL, COUNT(*) FROM courses_attendancerecord "
        "GROUP BY 1, 2, 3, 4",
        "SELECT session_id, outcome, walk_in, booked, lines FROM courses_registertally WHERE lines > 0",
    )
    same(
        "SELECT session_id, status, late_cancellation, COUNT(*) FROM courses_booking GROUP BY 1, 2, 3",
        "SELECT session_id, status, late_cancellation, bookings FROM courses_bookingtally WHERE bookings > 0",
    )
    # Undone, the migration leaves the tallies alone.
    before = db.execute("SELECT SUM(lines) FROM courses_registertally").fetchone()
    for statement in MIGRATION._drop_statements("sqlite"):
        db.execute(statement)
    db.execute("DELETE FROM courses_attendancerecord")
    assert db.execute("SELECT SUM(lines) FROM courses_registertally").fetchone() == before


def _split(row):
    *key, n = row
    return tuple(key), n
