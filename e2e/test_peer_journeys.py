"""The training manager records other Boards' figures (a form and a CSV file) and sees where the
partnership stands on the Board dashboard; and records a trainer's quarter-day share of a session."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, training_manager
from courses.factories import AttendanceRecordFactory, SessionFactory
from courses.models import SessionStatus
from reports.models import PeerFigures
from tna.models import TrainingYear

pytestmark = pytest.mark.django_db(transaction=True)


def this_year():
    today = timezone.localdate()
    start = date(today.year - (today.month < 4), 4, 1)
    return TrainingYear.objects.create(
        name=f"{start.year}-{str(start.year + 1)[-2:]}",
        starts_on=start,
        ends_on=date(start.year + 1, 3, 31),
        children_in_need=3400,
    )


def test_the_training_manager_records_other_boards_and_the_dashboard_compares(visitor, target_groups, tmp_path):
    year = this_year()
    police = AgencyFactory(name="Northshire Police")
    session = SessionFactory(
        course__title="Working Together to Safeguard Children", days_ahead=-5, status=SessionStatus.COMPLETED
    )
    for _ in range(12):
        AttendanceRecordFactory(session=session, person=UserFactory(agency=police), agency=police, booking=None)
    training_manager(full_name="Helen Carter", email="helen.carter@northshire-scp.example.org")
    label = f"{year.starts_on.year}-{(year.starts_on.year + 1) % 100:02d}"

    visitor.sign_in("helen.carter@northshire-scp.example.org")
    page = visitor.go("/reports/other-boards")
    page.get_by_role("link", name="Add a Board's figures").click()
    visitor.check()
    page.get_by_label("Board or partnership").fill("Eastshire Safeguarding Children Board")
    page.get_by_label("Year").fill(label)
    page.get_by_label("Courses or events").fill("forty")
    page.get_by_role("button", name="Save the figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the courses or events as a number")
    visitor.check()
    page.get_by_label("Courses or events").fill("40")
    page.get_by_label("Children in need").fill("2000")
    page.get_by_label("Total cost (£)").fill("40000")
    page.get_by_label("Attendance").fill("800")
    page.get_by_role("button", name="Save the figures").click()
    expect(page.locator("main")).to_contain_text("Eastshire Safeguarding Children Board")
    visitor.check()

    upload = tmp_path / "boards.csv"
    upload.write_text(
        "Board,Year,Children in need,Courses or events,Training days,Attendance,Total cost\n"
        f"Westshire Safeguarding Children Board,{label},4000,60,45,1200,90000\n"
        f"Castleford Safeguarding Children Board,{label},3000,45,40,900,36000\n"
    )
    page.get_by_role("link", name="Import figures from a CSV file").click()
    visitor.check()
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("h1")).to_contain_text("The file is ready to import")
    visitor.check()
    page.get_by_role("button", name="Import these figures").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 new")
    assert PeerFigures.objects.count() == 3

    page = visitor.go(f"/reports/?year={year.pk}")
    section = page.locator("main")
    expect(section).to_contain_text("Where we stand among other Boards")
    expect(section).to_contain_text("Northshire Safeguarding Children Partnership (this partnership)")
    expect(section).to_contain_text("Median of the other Boards")


def test_the_training_manager_records_a_trainers_quarter_day(visitor, target_groups):
    manager = training_manager(full_name="Helen Carter", email="helen.carter@northshire-scp.example.org")
    tom = UserFactory(full_name="Tom Fletcher", agency=AgencyFactory(name="Northshire Police"))
    started = timezone.now() - timedelta(days=2)
    session = SessionFactory(
        course__title="Working Together to Safeguard Children",
        starts_at=started,
        ends_at=started + timedelta(hours=7),
        trainers=[tom],
    )
    assert manager
    visitor.sign_in("helen.carter@northshire-scp.example.org")
    page = visitor.go(f"/pool/sessions/{session.pk}/trainers")
    expect(page.locator("main")).to_contain_text("The whole session")
    page.get_by_role("link", name="Change Tom Fletcher's share").click()
    visitor.check()
    page.get_by_label("Days of this session they delivered").fill("0.25")
    page.get_by_role("button", name="Save their share").click()
    expect(page.locator("main")).to_contain_text("A quarter of a day of the session")
    visitor.check()
