"""The management lists draw their rows, headings and filters in Python (common/listing.py): what they draw
is what django-tables2's cells and Django's widget templates drew."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import django_tables2 as tables
import pytest
from django.forms.renderers import get_default_renderer
from django.template import Context, Template
from django.test import RequestFactory
from django_tables2 import RequestConfig

from accounts.factories import AgencyFactory, UserFactory, training_manager
from accounts.filters import PeopleFilter
from accounts.models import User
from accounts.roles import Role
from common.listing import FILTER_FORM_RENDERER, DateColumn, DateTimeColumn, table_body, table_head
from courses.factories import CourseFactory, SessionFactory, VenueFactory
from courses.filters_charges import ChargeFilter
from courses.filters_manage import SessionFilter
from courses.models import Charge, ChargeKind, Session, SessionStatus
from courses.selectors.booking import sessions_with_places
from courses.tables import SessionTable
from courses.tables_charges import ChargeTable

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def drawn_by_django_tables2(table) -> str:
    """The rows as the template drew them, each cell from django-tables2's own `get_cell`."""
    printed = Template("{{ cell }}")
    out = []
    for row in table.paginated_rows:
        out.append('\n      <tr class="govuk-table__row">\n        ')
        for column in table.columns:
            label = f' data-label="{column.header}"' if column.header else ""
            cell = printed.render(Context({"cell": row.get_cell(column.name)}))
            out.append(
                f'\n          <td class="govuk-table__cell {column.attrs["td"]["class"]}"{label}>{cell}</td>\n        '
            )
        out.append("\n      </tr>\n    ")
    return "".join(out)


def configured(table, query=""):
    RequestConfig(RequestFactory().get("/" + query), paginate={"per_page": 50}).configure(table)
    return table


def test_the_session_list_draws_each_cell_as_django_tables2_did():
    venue = VenueFactory(name="Riverside & Co. <Hall>")
    course = CourseFactory(title='Neglect: "Spotting it" & acting')
    for days, status in ((3, SessionStatus.SCHEDULED), (5, SessionStatus.CANCELLED), (9, SessionStatus.SCHEDULED)):
        SessionFactory(course=course, days_ahead=days, status=status, venue=venue if days != 9 else None)
    for query in ("", "?sort=-where", "?sort=course&page=1"):
        table = configured(SessionTable(sessions_with_places()), query)
        assert table_body(table) == drawn_by_django_tables2(table)
        assert "Riverside &amp; Co. &lt;Hall&gt;" in table_body(table) and "Online" in table_body(table)


def test_the_charges_list_draws_each_cell_as_django_tables2_did():
    agency = AgencyFactory(name="Little Acorns & Friends")
    session = SessionFactory(days_ahead=-3)
    people = [UserFactory(agency=agency, full_name=name) for name in ("Ann <Lee>", "Bo O'Neil", "Cy Dee")]
    for person, waived in zip(people, (False, True, False), strict=True):
        Charge.objects.create(
            agency=agency,
            session=session,
            person=person,
            kind=ChargeKind.NO_SHOW,
            amount=Decimal("75.00"),
            rule="No-show",
            waived_at=session.starts_at if waived else None,
            waiver_reason="Ill & in hospital" if waived else "",
        )
    table = configured(ChargeTable(Charge.objects.all(), can_waive=True))
    assert table_body(table) == drawn_by_django_tables2(table)
    assert "Waive<span" in table_body(table)


def test_date_columns_print_what_django_tables2s_template_printed():
    class Dates(tables.Table):
        ours = DateTimeColumn("j M Y, H:i", accessor="starts_at")
        theirs = tables.DateTimeColumn("j M Y, H:i", accessor="starts_at")
        ours_named = DateTimeColumn(accessor="starts_at")
        theirs_named = tables.DateTimeColumn(accessor="starts_at")
        ours_day = DateColumn("j M Y", accessor="starts_at")
        theirs_day = tables.DateColumn("j M Y", accessor="starts_at")
        ours_empty = DateColumn("j M Y", accessor="cancelled_at", default="Not cancelled")
        theirs_empty = tables.DateColumn("j M Y", accessor="cancelled_at", default="Not cancelled")
        ours_digits = DateTimeColumn("d/m/y n b, H:i", accessor="starts_at")
        theirs_digits = tables.DateTimeColumn("d/m/y n b, H:i", accessor="starts_at")

    for when in (datetime(2026, 3, 31, 23, 30, tzinfo=LONDON), datetime(2026, 12, 1, 9, 5, tzinfo=LONDON)):
        SessionFactory(starts_at=when, ends_at=when + timedelta(hours=1), bookings_close_at=when - timedelta(days=2))
    for row in Dates(Session.objects.all()).rows:
        for name in ("", "_named", "_day", "_empty", "_digits"):
            assert row.get_cell(f"ours{name}") == row.get_cell(f"theirs{name}")
            assert row.get_cell_value(f"ours{name}") == row.get_cell_value(f"theirs{name}")


def test_headings_link_each_sort_as_querystring_replace_did():
    SessionFactory()
    heading = Template(
        "{% load django_tables2 %}{% for column in table.columns %}{% if column.orderable %}"
        "{% querystring_replace table.prefixed_order_by_field=column.order_by_alias.next %}|{% endif %}{% endfor %}"
    )
    for query in ("", "?sort=-where&course=3", "?status=cancelled&sort=starts_at&page=2"):
        table = configured(SessionTable(sessions_with_places()), query)
        addresses = heading.render(Context({"table": table, "request": table.request})).split("|")[:-1]
        assert [f'href="{address}"' in table_head(table) for address in addresses] == [True] * len(addresses)
        assert table_head(table).count('aria-sort="') == len(addresses)


def test_filter_forms_draw_their_fields_as_djangos_widget_templates_did():
    CourseFactory(title="Neglect & <Thresholds>")
    course = CourseFactory(title='"Early help"')
    agency = AgencyFactory(name="Police & Crime")
    manager = training_manager()
    for filterset in (
        SessionFilter({"course": course.pk, "date_from": "nonsense", "status": "cancelled"}, queryset=Session.objects),
        SessionFilter({}, queryset=Session.objects),
        ChargeFilter({"session_from": "01/02/2026"}, queryset=Charge.objects, user=manager),
        ChargeFilter({"agency": agency.pk, "kind": ChargeKind.FEE, "waived": "nonsense"}, queryset=Charge.objects),
        PeopleFilter({"agency": agency.pk, "role": Role.TRAINER, "status": "active"}, queryset=User.objects),
    ):
        assert filterset.form.renderer is FILTER_FORM_RENDERER
        filterset.form.is_valid()
        for field in filterset.form:
            ours = [str(field), field.as_widget(attrs={"class": "govuk-input govuk-input--error", "aria-x": "y"})]
            filterset.form.renderer = get_default_renderer()
            theirs = [str(field), field.as_widget(attrs={"class": "govuk-input govuk-input--error", "aria-x": "y"})]
            filterset.form.renderer = FILTER_FORM_RENDERER
            assert ours == theirs
