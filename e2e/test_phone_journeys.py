"""Staff and agency leads on a phone (390 × 844): every page fits the screen without sideways scrolling
(`Visitor.check` asserts it on each page, with axe-core), filters fold away, course dates read as short
blocks, a 0-10 scale sits on one row, and a table too wide for the screen scrolls inside its own region."""

import re

import pytest
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    CourseFactory,
    LevelFactory,
    SessionFactory,
    VenueFactory,
)
from courses.models import Attendance
from courses.services.register import close_register
from evaluation import services as evaluation
from evaluation.models import Invitation, Stage

pytestmark = pytest.mark.django_db(transaction=True)


def assert_stacked(above, below):
    """Two cells of a row read one above the other, each the width of the screen, labelled by CSS."""
    top, bottom = above.bounding_box(), below.bounding_box()
    assert bottom["y"] >= top["y"] + top["height"] - 1 and abs(bottom["x"] - top["x"]) < 2
    assert above.evaluate("el => getComputedStyle(el, '::before').content").startswith('"')


@pytest.fixture
def police():
    return AgencyFactory(name="Northshire Police", sector="police")


def test_a_member_of_staff_finds_a_course_books_it_and_answers_the_evaluation_on_a_phone(
    phone_visitor, police, target_groups, settings
):
    settings.EVALUATION_MIN_GROUP = 1
    neglect = CourseFactory(title="Recognising and Responding to Neglect", level=LevelFactory(number=2))
    for title in ("Domestic Abuse and its Impact on Children", "Child Protection Conferences and Core Groups"):
        CourseFactory(title=title)
    SessionFactory(
        course=neglect, days_ahead=12, venue=VenueFactory(name="Castlegate Police Headquarters, Learning Centre")
    )
    liam = UserFactory(full_name="Liam Lewis", email="liam.lewis@northshire-police.example.org", agency=police)
    page = phone_visitor.sign_in(liam.email)

    # The catalogue opens on the courses, with the filters folded away above them.
    page = phone_visitor.go("/courses")
    expect(page.get_by_text("Filter courses")).to_be_visible()
    expect(page.get_by_label("Search")).to_be_hidden()
    first_course = page.get_by_role("link", name="Recognising and Responding to Neglect")
    assert first_course.bounding_box()["y"] < 844, "the first course is below the first screen"
    page.get_by_text("Filter courses").click()
    page.get_by_label("Search").fill("neglect")
    page.get_by_role("button", name="Apply filters").click()
    # A filter in use stays open, so the person sees what they searched for.
    expect(page.get_by_label("Search")).to_have_value("neglect")
    phone_visitor.check()

    # Each date reads as a short block ("When", "Where", "Places"), its times on one line.
    first_course.click()
    phone_visitor.check()
    dates = page.locator("table.app-table--stack tbody tr").first
    when, where = dates.locator("td[data-label='When']"), dates.locator("td[data-label='Where']")
    expect(where).to_contain_text("Castlegate Police Headquarters")
    assert_stacked(when, where)
    time_box = dates.locator(".app-nowrap").nth(1).bounding_box()
    assert time_box["height"] < 40, "the session's times wrap over several lines"
    page.get_by_role("link", name=re.compile("^Book")).click()
    phone_visitor.check()
    page.get_by_role("button", name="Book a place").click()
    # The price and the cancellation terms, confirmed on a page of their own.
    expect(page.get_by_role("heading", name="Check and book your place")).to_be_visible()
    phone_visitor.check()
    page.get_by_role("button", name="Confirm and book the place").click()
    expect(page.get_by_role("heading", name="Booking confirmed")).to_be_visible()
    phone_visitor.check()

    # After a course yesterday: the evaluation's 0-10 confidence scale fits one row and can be tapped.
    evaluation.settings_for(neglect)
    yesterday = SessionFactory(course=neglect, days_ahead=-1)
    booking = BookingFactory(session=yesterday, person=liam)
    AttendanceRecordFactory(session=yesterday, person=liam, booking=booking, outcome=Attendance.ATTENDED)
    close_register(actor=training_manager(email="helen.carter@northshire-scp.example.org"), session=yesterday)
    invitation = Invitation.objects.get(booking=booking, stage=Stage.IMMEDIATE)
    page = phone_visitor.go("/evaluation/answer/" + evaluation.token_for(invitation))
    scale = page.locator(".app-scale").first
    radios = scale.locator(".govuk-radios__item")
    expect(radios).to_have_count(11)
    tops = {round(radios.nth(n).bounding_box()["y"]) for n in range(11)}
    assert len(tops) == 1, "the 0-10 scale wraps onto more than one row"
    scale.get_by_text("7", exact=True).click()
    expect(scale.locator("input[value='7']")).to_be_checked()


def test_an_agency_lead_reads_their_staff_and_a_wide_table_on_a_phone(phone_visitor, police, target_groups):
    priya = agency_lead(full_name="Priya Shah", email="priya.shah@northshire-police.example.org", agency=police)
    for n, name in enumerate(("Isla Iqbal", "Jamal Jones", "Katie Kaur")):
        person = UserFactory(
            full_name=name, email=f"person{n}@northshire-police.example.org", agency=police, job_title="Constable"
        )
        BookingFactory(person=person, session=SessionFactory(days_ahead=20 + n))
    # Someone waiting to be confirmed as the agency's staff: a table of five columns, wider than a phone.
    UserFactory(
        full_name="Jamie Cole",
        email="jamie.cole.special-constabulary@gmail.example.com",
        claimed_agency=police,
        job_title="Special constable (volunteer)",
    )
    page = phone_visitor.sign_in(priya.email)

    # The agency's staff against the pathway: one short block per person.
    page = phone_visitor.go("/agency-training")
    row = page.locator("table.app-table--stack tbody tr").filter(has_text="Jamal Jones")
    assert_stacked(row.locator("td[data-label='Name']"), row.locator("td[data-label='Status']"))

    # A wide table scrolls inside a named region that the keyboard reaches, with a hint above it.
    page = phone_visitor.go("/manage/people/claims")
    region = page.get_by_role("region", name=re.compile("waiting .scrolls sideways."))
    expect(region).to_have_attribute("tabindex", "0")
    expect(page.get_by_text("Scroll sideways to see every column.")).to_be_visible()
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    region.evaluate("el => el.scrollLeft = el.scrollWidth")
    expect(region.get_by_role("link", name=re.compile("Confirm or refuse"))).to_be_in_viewport()
