"""The year's money: income by source against spending, for the year and the year to date, and trainer
days given in kind at the sub-committee's rate. Figures computed by hand in the docstring."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, board_member, trainer, training_manager
from committee import selectors, services
from committee.models import DeliveredBy, IncomeSource, Receipt, SessionDelivery
from committee.services import CommitteeError
from courses.factories import CourseFactory, SessionFactory
from courses.models import Charge, SessionStatus
from tna.models import AgencyContribution, TrainingYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", agency=None)


def on(day: date, hour=9):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 30))


def session(course, day, **kwargs):
    return SessionFactory(course=course, starts_at=on(day), ends_at=on(day, 16), **kwargs)


@pytest.fixture
def year_of_money(manager):
    """2026-27 (365 days), looked at on 30 September 2026 (183 days in).

    Income. Contributions agreed: police £5,000 + health £2,500 = £7,500. Received: police £5,000 on
    15 May (to date), health £2,500 on 10 Jan 2027 -> year £7,500, to date £5,000. Grant £10,000 on 1 Apr
    (both). Other £250 on 3 Feb 2027 -> year £250, to date £0. Charges invoiced (not waived, by the
    session's date): £60 for 10 June (a waived £45 there does not count) and £90 for 12 November ->
    year £150, to date £60. Total income: year 7,500 + 150 + 10,000 + 250 = £17,900; to date
    5,000 + 60 + 10,000 = £15,060.

    Spending. Central costs £36,500; to date 36,500 x 183 / 365 = £18,300. Session costs (£225 each:
    venue 120, catering 90, materials 15): 10 June, 4 November, 12 November -> year £675, to date £225
    (a cancelled session and one in March 2026 do not count). Commissioned: 12 November by Safe Lives
    Training Ltd, £1,200 -> year £1,200, to date £0. Total: year £38,375; to date £18,525. Income less
    spending: year -£20,475; to date -£3,465.

    In kind: 10 June, a one-day course with two pool trainers = 2 days; 4 November, a half-day course
    with one = 0.5 -> year 2.5 days, to date 2; at £250 a day, year £625, to date £500."""
    year = TrainingYear.objects.create(
        name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), central_costs=Decimal("36500")
    )
    police = AgencyFactory(name="Northshire Police", sector="police")
    health = AgencyFactory(name="Northshire Community Health NHS Trust", sector="health")
    AgencyContribution.objects.create(year=year, agency=police, amount=Decimal("5000"))
    AgencyContribution.objects.create(year=year, agency=health, amount=Decimal("2500"))
    for source, agency, text, amount, day in [
        (IncomeSource.CONTRIBUTION, police, "", "5000", date(2026, 5, 15)),
        (IncomeSource.CONTRIBUTION, health, "", "2500", date(2027, 1, 10)),
        (IncomeSource.GRANT, None, "Department for Education grant", "10000", date(2026, 4, 1)),
        (IncomeSource.OTHER, None, "Conference stall", "250", date(2027, 2, 3)),
    ]:
        services.record_receipt(
            actor=manager,
            year=year,
            source=source,
            agency=agency,
            description=text,
            amount=Decimal(amount),
            received_on=day,
        )
    full_day = CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1"))
    half_day = CourseFactory(title="Safeguarding Briefing for Faith Groups", duration_days=Decimal("0.5"))
    june = session(full_day, date(2026, 6, 10), trainers=[trainer(agency=police), trainer(agency=health)])
    session(half_day, date(2026, 11, 4), trainers=[trainer(agency=police)])
    commissioned = session(full_day, date(2026, 11, 12))
    session(full_day, date(2026, 10, 1), status=SessionStatus.CANCELLED)
    session(full_day, date(2026, 3, 5))
    services.record_delivery(
        actor=manager,
        session=commissioned,
        delivered_by=DeliveredBy.COMMISSIONED,
        provider="Safe Lives Training Ltd",
        cost=Decimal("1200"),
    )
    services.record_delivery(actor=manager, session=june, delivered_by=DeliveredBy.POOL)
    for where, kind, amount, waived in [
        (june, "no_show", "60", None),
        (june, "late_cancellation", "45", timezone.now()),
        (commissioned, "no_show", "90", None),
    ]:
        Charge.objects.create(
            agency=police,
            session=where,
            person=UserFactory(agency=police),
            kind=kind,
            amount=Decimal(amount),
            rule="Did not attend: £60 a day",
            waived_at=waived,
        )
    services.set_trainer_day_rate(actor=manager, year=year, rate=Decimal("250"))
    return year


def figures(lines):
    return {line.label: (line.year, line.to_date) for line in lines}


def test_the_years_money_against_the_hand_computed_figures(year_of_money):
    statement = selectors.money_statement(year_of_money, today=date(2026, 9, 30))
    d = Decimal
    assert figures(statement.income) == {
        "Agencies' contributions agreed": (d("7500.00"), None),
        "Agencies' contributions received": (d("7500.00"), d("5000.00")),
        "Charges due (raised, less waived)": (d("150.00"), d("60.00")),
        "of which invoiced": (d("0.00"), d("0.00")),
        "of which paid": (d("0.00"), d("0.00")),
        "Grants": (d("10000.00"), d("10000.00")),
        "Other income": (d("250.00"), d("0.00")),
    }
    assert figures(statement.spending) == {
        "Central costs": (d("36500.00"), d("18300.00")),
        "Session costs": (d("675.00"), d("225.00")),
        "Commissioned training": (d("1200.00"), d("0.00")),
    }
    assert (statement.income_total.year, statement.income_total.to_date) == (d("17900.00"), d("15060.00"))
    assert (statement.spending_total.year, statement.spending_total.to_date) == (d("38375.00"), d("18525.00"))
    assert (statement.balance.year, statement.balance.to_date) == (d("-20475.00"), d("-3465.00"))
    assert (statement.trainer_days.year, statement.trainer_days.to_date) == (d("2.5"), d("2"))
    assert (statement.in_kind.year, statement.in_kind.to_date) == (d("625.00"), d("500.00"))


def test_the_money_page_writes_money_one_way_and_board_members_read_it(year_of_money, client, manager):
    client.force_login(board_member(full_name="Ruth Evans"))
    page = client.get(reverse("committee:money", args=[year_of_money.pk])).content.decode()
    assert "£36,500.00" in page and "£1,200.00" in page and "-£20,475.00" in page
    assert "Record money received" not in page
    assert (
        client.post(
            reverse("committee:money-receipt", args=[year_of_money.pk]),
            {"source": "grant", "description": "x", "amount": "5", "received_on": "01/05/2026"},
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("committee:money-rate", args=[year_of_money.pk]), {"trainer_day_rate": "1"}).status_code
        == 403
    )
    assert Receipt.objects.count() == 4


def test_a_commissioned_session_names_its_provider_and_a_contribution_its_agency(manager, year_of_money):
    with pytest.raises(CommitteeError, match="commissioned provider's name"):
        services.record_delivery(
            actor=manager, session=SessionFactory(), delivered_by=DeliveredBy.COMMISSIONED, cost=Decimal("300")
        )
    with pytest.raises(CommitteeError, match="Choose the agency"):
        services.record_receipt(
            actor=manager,
            year=year_of_money,
            source=IncomeSource.CONTRIBUTION,
            amount=Decimal("100"),
            received_on=date(2026, 5, 1),
        )
    delivered = services.record_delivery(
        actor=manager, session=SessionFactory(), delivered_by=DeliveredBy.MANAGER, provider="ignored", cost=5
    )
    assert (delivered.provider, delivered.cost) == ("", 0)
    assert SessionDelivery.objects.count() == 3


def test_a_conference_records_its_speakers(manager, client):
    conference = SessionFactory(course=CourseFactory(title="Annual Safeguarding Conference"))
    client.force_login(manager)
    client.post(
        reverse("committee:delivery", args=[conference.pk]),
        {"delivered_by": "manager", "speakers": "Professor Eileen Munro\nDCI Sam Hughes"},
    )
    assert conference.delivery.speakers == "Professor Eileen Munro\nDCI Sam Hughes"


def test_charges_due_leave_out_a_cancelled_charge_and_show_what_is_invoiced_and_paid(year_of_money):
    """The £90 no-show of 12 November is put on an invoice that is sent and paid; a £75 charge for
    10 June cancelled when the register was corrected counts nowhere. Due stays £150 for the year;
    invoiced and paid are £90 each, none of it by 30 September."""
    from courses.models import Invoice

    june_charge = Charge.objects.get(amount=Decimal("60"))
    Charge.objects.create(
        agency=june_charge.agency,
        session=june_charge.session,
        person=UserFactory(agency=june_charge.agency),
        kind="fee",
        amount=Decimal("75"),
        rule="Course fee",
        cancelled_at=timezone.now(),
    )
    november = Charge.objects.get(amount=Decimal("90"))
    invoice = Invoice.objects.create(
        agency=november.agency,
        number=1,
        period_starts_on=date(2026, 11, 1),
        period_ends_on=date(2026, 11, 30),
        total=Decimal("90"),
        sent_at=timezone.now(),
        paid_at=timezone.now(),
    )
    Charge.objects.filter(pk=november.pk).update(invoice=invoice)
    income = figures(selectors.money_statement(year_of_money, today=date(2026, 9, 30)).income)
    d = Decimal
    assert income["Charges due (raised, less waived)"] == (d("150.00"), d("60.00"))
    assert income["of which invoiced"] == (d("90.00"), d("0.00"))
    assert income["of which paid"] == (d("90.00"), d("0.00"))
