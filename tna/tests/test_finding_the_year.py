"""Finding the live analysis and moving between training years: the TNA home lists every analysis
open or being prepared (and the past ones), and each page about one year has a year picker."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import board_member, training_manager
from tna import services
from tna.models import TnaCycle, TrainingYear

pytestmark = pytest.mark.django_db


def _year(name: str, starts: date, *, opened: bool, deadline: date) -> TnaCycle:
    year = TrainingYear.objects.create(
        name=name, starts_on=starts, ends_on=starts.replace(year=starts.year + 1) - timedelta(days=1)
    )
    cycle = TnaCycle.objects.create(year=year, opens_on=deadline - timedelta(days=60), deadline=deadline)
    if opened:
        cycle.opened_at = timezone.make_aware(datetime.combine(cycle.opens_on, datetime.min.time()))
        cycle.save()
    return cycle


@pytest.fixture
def years():
    today = timezone.localdate()
    this = today.year if today.month >= 4 else today.year - 1
    past = _year(f"{this - 1}-{this % 100:02d}", date(this - 1, 4, 1), opened=True, deadline=date(this - 1, 2, 27))
    current = _year(f"{this}-{(this + 1) % 100:02d}", date(this, 4, 1), opened=True, deadline=date(this, 2, 27))
    live = _year(
        f"{this + 1}-{(this + 2) % 100:02d}", date(this + 1, 4, 1), opened=True, deadline=today + timedelta(days=40)
    )
    return past, current, live


def test_setting_up_the_next_year_keeps_the_live_analysis_on_the_tna_home(client, years):
    past, current, live = years
    manager = training_manager()
    prepared = services.create_year_and_cycle(
        actor=manager,
        name="next",
        starts_on=live.year.ends_on + timedelta(days=1),
        ends_on=live.year.ends_on + timedelta(days=366),
        children_in_need=0,
        central_costs=0,
        opens_on=live.deadline + timedelta(days=300),
        deadline=live.deadline + timedelta(days=360),
        instructions="",
        reminder_offsets=[],
        escalate_after_days=14,
    )
    client.force_login(manager)
    page = client.get(reverse("tna:index")).content.decode()
    in_progress, earlier = page.split("Earlier years")
    for cycle in (live, current, prepared):
        assert reverse("tna:cycle", args=[cycle.pk]) in in_progress
    assert "Being prepared" in in_progress
    assert reverse("tna:cycle", args=[past.pk]) in earlier


def test_attendance_against_need_has_a_year_picker_that_keeps_the_grouping(client, years):
    past, current, _ = years
    client.force_login(board_member())
    url = reverse("tna:attendance", args=[current.year.pk])
    page = client.get(url).content.decode()
    assert 'name="year"' in page and f'<option value="{past.year.pk}"' in page
    response = client.get(url, {"year": past.year.pk, "by": "course"})
    assert response.url == reverse("tna:attendance", args=[past.year.pk]) + "?by=course"


def test_the_analysis_overview_has_a_year_picker(client, years):
    past, current, _ = years
    client.force_login(training_manager())
    url = reverse("tna:cycle", args=[current.pk])
    assert f'<option value="{past.year.pk}"' in client.get(url).content.decode()
    assert client.get(url, {"year": past.year.pk}).url == reverse("tna:cycle", args=[past.pk])


def test_contributions_have_a_year_picker(client, years):
    past, current, _ = years
    client.force_login(training_manager())
    url = reverse("tna:contributions", args=[current.year.pk])
    assert client.get(url, {"year": past.year.pk}).url == reverse("tna:contributions", args=[past.year.pk])


def test_a_picked_year_that_does_not_exist_stays_on_the_page(client, years):
    _, current, _ = years
    client.force_login(board_member())
    assert client.get(reverse("tna:attendance", args=[current.year.pk]), {"year": "999999"}).status_code == 200
