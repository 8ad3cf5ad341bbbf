"""Every table of the annual report as rows for CSV, from the same metrics as the PDF."""

from . import metrics

NA = "not applicable"
NO_RECORDS = "no records"


def _v(value):
    return NA if value is None else value


def headline_rows(year):
    heads = metrics.headlines(year)
    measures = [
        ("Learning events delivered", "events_delivered"),
        ("Events cancelled", "events_cancelled"),
        ("Training days delivered", "training_days"),
        ("Total attendance", "attendance"),
        ("Walk-ins", "walk_ins"),
        ("Average delegates per event (attendance / events)", "average_delegates"),
        ("Places offered", "capacity"),
        ("Fill rate % (attendance / places offered)", "fill_rate"),
        ("Attendance rate % (booked delegates who came / places booked)", "attendance_rate"),
        (
            "Attendance rate of registrations % (attendance / registrations, cancellations included)",
            "attendance_rate_of_registrations",
        ),
        ("Did not attend", "no_shows"),
        ("Cancellations by delegates", "cancellations"),
        ("Cancellations in time", "on_time_cancellations"),
        ("Late cancellations", "late_cancellations"),
        ("Cancellation rate % (cancellations / registrations, cancellations included)", "cancellation_rate"),
        ("Different courses delivered", "courses"),
        ("Events per 1,000 children in need", "events_per_1000_children_in_need"),
        ("Costs of events (£)", "session_costs"),
        ("Central costs (£)", "central_costs"),
        ("Total cost (£)", "total_cost"),
        ("Cost per event (£)", "cost_per_event"),
        ("Cost per training day (£)", "cost_per_training_day"),
        ("Cost per delegate (£)", "cost_per_delegate"),
    ]
    yield ["Measure", *[h.period.heading for h in heads]]
    for label, attribute in measures:
        yield [label, *[_figure(h, attribute) for h in heads]]


def _figure(headline, attribute):
    if not headline.has_records:
        return NO_RECORDS
    value = getattr(headline, attribute)
    if value is None and attribute in ("total_cost", "cost_per_event", "cost_per_training_day", "cost_per_delegate"):
        return NA if headline.costs_recorded else "none recorded"
    if attribute == "central_costs" and headline.central_costs_year is None:
        return "not recorded"
    return _v(value)


def need_rows(year, by):
    table = metrics.need_against_attendance(year, by=by)
    yield [
        by.capitalize(),
        "Places requested",
        "Booked",
        "Attended",
        "Attended courses not requested",
        "Did not attend",
        "Need met % (attended courses requested / requested)",
        "Status",
    ]
    for r in [*table.rows, table.total]:
        yield [r.label, r.requested, r.booked, r.attended, r.attended_unrequested, r.no_shows, _v(r.met), r.status]


def partner_rows(year):
    partners = metrics.partner_contribution(metrics.Period.of_year(year))
    yield [
        "Agency",
        "Agreed trainer days",
        "Days delivered",
        "Delivered % of agreed",
        "Financial contribution (£)",
        "Charges raised (£)",
        "Charges waived (£)",
    ]
    for r in partners.rows:
        yield [
            r.agency.name,
            _v(r.committed_days),
            r.delivered_days,
            _v(r.percent_delivered),
            _v(r.financial),
            r.charges_raised,
            r.charges_waived,
        ]


def single_agency_rows(year):
    yield ["Level", "Agencies reporting", "Staff trained", "In date %"]
    for r in metrics.single_agency_training(year):
        yield [r.level, r.agencies, r.staff_trained, _v(r.percent_in_date)]


def course_rows(year):
    yield [
        "Course",
        "Level",
        "Runs",
        "Cancelled",
        "Days",
        "Places offered",
        "Delegates",
        "Fill rate % (delegates / places offered)",
        "Cost per run (£)",
        "Trainers' agencies",
    ]
    for c in metrics.courses_delivered(metrics.Period.of_year(year)):
        yield [
            c.course.title,
            str(c.course.level),
            c.runs,
            c.cancelled,
            c.days,
            c.places,
            c.delegates,
            _v(c.fill_rate),
            "none recorded" if c.cost_per_run is None and c.runs else _v(c.cost_per_run),
            "; ".join(c.trainer_agencies),
        ]


TABLES = {
    "headlines": ("Headline statistics", headline_rows),
    "need-by-agency": ("Attendance against need by agency", lambda y: need_rows(y, "agency")),
    "need-by-level": ("Attendance against need by level", lambda y: need_rows(y, "level")),
    "need-by-course": ("Attendance against need by course", lambda y: need_rows(y, "course")),
    "partners": ("Partner contribution", partner_rows),
    "single-agency": ("Single-agency training", single_agency_rows),
    "courses": ("Courses delivered", course_rows),
}
