"""The CSV formats a partnership moves its records in and out with (documented in docs/imports.md).

Each format names its columns in plain English, parses and checks every row, finds existing
records by their natural key (so importing a file twice changes nothing), and writes them. An
import is all or nothing: every problem in the file is listed with its line and column, and
nothing is written unless there are none. Exports write the same columns, so an export imports.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.errors import AccountError
from accounts.models import Agency, OrganisationCategory, Sector, TargetGroup, User, normalise_email
from accounts.selectors import line_manager_problem
from accounts.services import clean_domains
from common.csvfiles import CsvFileError, LineProblem, dict_reader
from common.numbers import parse_whole_number
from courses.durations import QUARTER, ShareTooLong, days_from_hours, is_quarter_days, trainer_share
from courses.models import (
    Attendance,
    AttendanceRecord,
    Booking,
    BookingPolicy,
    BookingStatus,
    Course,
    DeliveryMode,
    Level,
    Session,
    SessionDate,
    SessionStatus,
    SessionTrainer,
    Venue,
)
from courses.selectors.venues import place_capacity
from courses.services.programme import booking_cut_off
from tna import services as tna_services
from tna.models import TnaCycle, TrainingYear
from tna.selectors import RETURN_LINE_COLUMNS, return_lines

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class Problem(Exception):
    pass


# --- Reading values ----------------------------------------------------------------------------------


def text(value: str, *, required=True, limit=200) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise Problem("contains a character that cannot be stored (a null byte): save the file again as CSV")
    if required and not value:
        raise Problem("is empty")
    if len(value) > limit:
        raise Problem(f"is longer than {limit} characters")
    return value


def a_date(value: str) -> date:
    value = (value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise Problem(f"'{value}' is not a date: write it as day/month/year, like 14/03/2025")


def a_time(value: str):
    value = (value or "").strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    raise Problem(f"'{value}' is not a time: write it like 09:30")


def whole(value: str, *, low=0, high=1_000_000) -> int:
    try:
        number = parse_whole_number(value)
    except ValueError as problem:
        raise Problem(str(problem))
    if number < low:
        raise Problem(
            f"{number} is below {low}: numbers cannot be negative" if low == 0 else f"{number} is below {low}"
        )
    if number > high:
        raise Problem(f"{number} is more than {high:,}")
    return number


def money(value: str) -> Decimal:
    value = (value or "0").strip().replace("£", "").replace(",", "") or "0"
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Problem(f"'{value}' is not an amount of money, like 150 or 150.00")
    if not amount.is_finite() or amount < 0:
        raise Problem("cannot be negative")
    if amount >= 100_000:
        raise Problem("must be under £100,000")
    return amount.quantize(Decimal("0.01"))


def yes_no(value: str, *, default=False) -> bool:
    value = (value or "").strip().lower()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    raise Problem(f"'{value}' is not yes or no")


def choice(value: str, choices, *, what: str) -> str:
    """A model choice given by its label or its stored value, in any case."""
    wanted = (value or "").strip().lower()
    for stored, label in choices:
        if wanted in (stored.lower(), label.lower()):
            return stored
    article = "an" if what[0] in "aeiou" else "a"
    options = list(dict.fromkeys(label for _, label in choices))
    raise Problem(f"'{value}' is not {article} {what} we know: use one of {', '.join(options)}")


# --- The framework ---------------------------------------------------------------------------------


Error = LineProblem


@dataclass
class Result:
    format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Error] = field(default_factory=list)
    written: bool = False
    # What the import does beyond counting records, one sentence each (the status each TNA return is left in).
    outcomes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, *, created: bool = False, changed: bool = False) -> None:
        """One record written: new, changed, or found as it already was."""
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


class Format:
    key = ""
    title = ""
    columns: list[tuple[str, bool]] = []  # (name, required)
    explanation = ""

    def run(self, content: str, *, commit: bool, actor=None, file_name: str = "") -> "Result":
        """Check (and with `commit`, import) a file. Formats whose records have an owning service
        that reads files itself (training needs returns) replace this."""
        return run_import(self, content, commit=commit)

    def prepare(self):
        """Load the lookups the rows need: a fixed number of queries, whatever the file's size."""

    def parse(self, row: dict):
        """Turn one row into (natural key, values) or raise Problem with {column: message}."""
        raise NotImplementedError

    def write(self, items: list, result: Result):
        raise NotImplementedError

    def export(self, year: TrainingYear | None):
        raise NotImplementedError


class RowProblems(Exception):
    def __init__(self, problems: dict):
        super().__init__(problems)
        self.problems = problems


def read(fmt: Format, rows: dict, names: list[str]):
    """Read the named columns of a row, collecting every problem, not only the first."""
    values, problems = {}, {}
    for name, reader in names:
        try:
            values[name] = reader(rows.get(name, ""))
        except Problem as problem:
            problems[name] = str(problem)
    if problems:
        raise RowProblems(problems)
    return values


def run_import(fmt: Format, content: str, *, commit: bool) -> Result:
    result = Result(format=fmt.title)
    try:
        reader = dict_reader(content)
    except CsvFileError as error:
        result.errors.append(Error(error.line, "", error.reason))
        return result
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [name for name, required in fmt.columns if required and name not in header]
    if not header:
        result.errors.append(Error(1, "", "The file is empty: the first line must name the columns"))
        return result
    if missing:
        result.errors.append(
            Error(
                1,
                "",
                f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                f"The first line must name the columns, as in the example file",
            )
        )
        return result
    fmt.prepare()
    items, seen = [], {}
    for line, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        result.rows += 1
        try:
            key, values = fmt.parse(row)
        except RowProblems as problems:
            result.errors.extend(Error(line, column, message) for column, message in problems.problems.items())
            continue
        if key in seen:
            result.errors.append(Error(line, "", f"the same record is already on line {seen[key]}"))
            continue
        seen[key] = line
        items.append(values)
        if len(result.errors) >= 500:
            result.errors.append(Error(line, "", "stopped after 500 problems: correct these and check the file again"))
            break
    if result.rows == 0 and not result.errors:
        result.errors.append(Error(2, "", "There are no rows under the column names"))
    if result.errors:
        return result
    with transaction.atomic():
        fmt.write(items, result)
        if not commit:
            transaction.set_rollback(True)
    result.written = commit
    return result


def _apply(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _update(obj, values: dict, result: Result) -> None:
    """An existing record takes the file's values, saved only if one of them differs."""
    changed = _apply(obj, values)
    if changed:
        obj.save()
    result.count(changed=changed)


# --- Formats ------------------------------------------------------------------------------------------


class TrainingYears(Format):
    key, title = "training-years", "Training years"
    columns = [
        ("Name", True),
        ("Starts", True),
        ("Ends", True),
        ("Children in need", False),
        ("Central costs", False),
        ("TNA opens", False),
        ("TNA deadline", False),
    ]
    explanation = "A year with a TNA opening date and deadline gets its training needs analysis, which returns need."

    def parse(self, row):
        v = read(
            self,
            row,
            [
                ("Name", lambda x: text(x, limit=20)),
                ("Starts", a_date),
                ("Ends", a_date),
                ("Children in need", lambda x: whole(x or "0")),
                ("Central costs", money),
                ("TNA opens", lambda x: a_date(x) if (x or "").strip() else None),
                ("TNA deadline", lambda x: a_date(x) if (x or "").strip() else None),
            ],
        )
        if v["Ends"] <= v["Starts"]:
            raise RowProblems({"Ends": "must be after the start"})
        if (v["TNA opens"] is None) != (v["TNA deadline"] is None):
            raise RowProblems({"TNA deadline": "give both the TNA opening date and its deadline, or neither"})
        if v["TNA opens"] and v["TNA deadline"] <= v["TNA opens"]:
            raise RowProblems({"TNA deadline": "must be after the date the analysis opens"})
        return v["Name"].lower(), v

    def write(self, items, result):
        for v in items:
            year = TrainingYear.objects.filter(name__iexact=v["Name"]).first()
            values = {
                "starts_on": v["Starts"],
                "ends_on": v["Ends"],
                "children_in_need": v["Children in need"],
                "central_costs": v["Central costs"],
            }
            if year is None:
                year = TrainingYear.objects.create(name=v["Name"], **values)
                changed, created = False, True
            else:
                changed, created = _apply(year, values), False
                if changed:
                    year.save()
            if v["TNA opens"]:
                _, cycle_created, cycle_changed = tna_services.set_cycle_dates(
                    year=year, opens_on=v["TNA opens"], deadline=v["TNA deadline"]
                )
                changed = changed or cycle_created or cycle_changed
            result.count(created=created, changed=changed)

    def export(self, year):
        years = [year] if year else TrainingYear.objects.order_by("starts_on")
        cycles = {c.year_id: c for c in TnaCycle.objects.all()}
        for y in years:
            cycle = cycles.get(y.pk)
            yield {
                "Name": y.name,
                "Starts": f"{y.starts_on:%d/%m/%Y}",
                "Ends": f"{y.ends_on:%d/%m/%Y}",
                "Children in need": y.children_in_need,
                "Central costs": y.central_costs,
                "TNA opens": f"{cycle.opens_on:%d/%m/%Y}" if cycle else "",
                "TNA deadline": f"{cycle.deadline:%d/%m/%Y}" if cycle else "",
            }


class Agencies(Format):
    key, title = "agencies", "Agencies"
    columns = [
        ("Name", True),
        ("Sector", True),
        ("Charging category", True),
        ("Contributing partner", False),
        ("Active", False),
        ("Email domains", False),
    ]

    def prepare(self):
        self.categories = {c.name.lower(): c for c in OrganisationCategory.objects.all()}

    def _category(self, value):
        value = (value or "").strip()
        if not value:
            raise Problem(
                "is empty: every agency has a charging category, such as Statutory partner or School or academy"
            )
        if value.lower() not in self.categories:
            raise Problem(f"'{value}' is not a charging category: add it under Agencies first, or leave it empty")
        return self.categories[value.lower()]

    def parse(self, row):
        v = read(
            self,
            row,
            [
                ("Name", text),
                ("Sector", lambda x: choice(x, Sector.choices, what="sector")),
                ("Charging category", self._category),
                ("Contributing partner", yes_no),
                ("Active", lambda x: yes_no(x, default=True)),
                ("Email domains", self._domains),
            ],
        )
        if "Email domains" not in row:
            v["Email domains"] = None  # an older file without the column leaves the domains as they are
        return v["Name"].lower(), v

    def _domains(self, value):
        # The same rule as the agency form's (accounts.services.clean_domains).
        try:
            return clean_domains(value or "")
        except AccountError as error:
            raise Problem(error.message) from error

    def write(self, items, result):
        existing = {a.name.lower(): a for a in Agency.objects.all()}
        for v in items:
            values = {
                "sector": v["Sector"],
                "category": v["Charging category"],
                "contributing": v["Contributing partner"],
                "active": v["Active"],
            }
            if v["Email domains"] is not None:
                values["email_domains"] = v["Email domains"]
            agency = existing.get(v["Name"].lower())
            if agency is None:
                existing[v["Name"].lower()] = Agency.objects.create(name=v["Name"], **values)
                result.count(created=True)
            else:
                _update(agency, values, result)

    def export(self, year):
        for a in Agency.objects.select_related("category").order_by("name"):
            yield {
                "Name": a.name,
                "Sector": a.get_sector_display(),
                "Charging category": a.category.name if a.category_id else "",
                "Contributing partner": "yes" if a.contributing else "no",
                "Active": "yes" if a.active else "no",
                "Email domains": " ".join(a.domains),
            }


def _agencies_by_name():
    return {a.name.lower(): a.pk for a in Agency.objects.only("pk", "name")}


class People(Format):
    key, title = "people", "People"
    columns = [
        ("Email", True),
        ("Name", True),
        ("Agency", True),
        ("Staff group", False),
        ("Job title", False),
        ("Line manager's name", False),
        ("Line manager's email", False),
    ]

    def prepare(self):
        self.agencies = _agencies_by_name()
        self.agency_records = {a.pk: a for a in Agency.objects.all()}
        self.groups = {g.number: g.pk for g in TargetGroup.objects.all()}

    def _agency(self, value):
        name = (value or "").strip()
        if name.lower() not in self.agencies:
            raise Problem(
                f"'{name}' is not a partner agency: import or add the agency first (agencies are never invented)"
            )
        return self.agencies[name.lower()]

    def _group(self, value):
        if not (value or "").strip():
            return None
        number = whole(value, low=1, high=99)
        if number not in self.groups:
            raise Problem(f"there is no staff group {number}")
        return self.groups[number]

    def _email(self, value):
        email = normalise_email(value or "")
        if "\x00" in email:
            raise Problem("contains a character that cannot be stored")
        if "@" not in email or "." not in email.split("@")[-1] or " " in email:
            raise Problem(f"'{value}' is not an email address")
        return email

    def parse(self, row):
        v = read(
            self,
            row,
            [
                ("Email", self._email),
                ("Name", lambda x: text(x, limit=150)),
                ("Agency", self._agency),
                ("Staff group", self._group),
                ("Job title", lambda x: text(x, required=False, limit=150)),
                ("Line manager's name", lambda x: text(x, required=False, limit=150)),
                ("Line manager's email", lambda x: self._email(x) if (x or "").strip() else ""),
            ],
        )
        # The rule the profile page applies (accounts.selectors.line_manager_problem): never the person
        # themselves, always someone the service can tie to the agency.
        problem = line_manager_problem(
            person=User(email=v["Email"]),
            email=v["Line manager's email"],
            agency=self.agency_records[v["Agency"]],
        )
        if problem:
            raise RowProblems({"Line manager's email": problem.replace("Your line manager", "The line manager")})
        return v["Email"], v

    def write(self, items, result):
        existing = {u.email.lower(): u for u in User.objects.filter(email__in=[v["Email"] for v in items])}
        new = []
        for v in items:
            values = {
                "full_name": v["Name"],
                "agency_id": v["Agency"],
                "target_group_id": v["Staff group"],
                "job_title": v["Job title"],
                "line_manager_name": v["Line manager's name"],
                "line_manager_email": v["Line manager's email"],
            }
            person = existing.get(v["Email"])
            if person is None:
                # Imported people have no password: they claim the account by signing up with the same email.
                user = User(email=v["Email"], is_active=False, **values)
                user.set_unusable_password()
                new.append(user)
                result.count(created=True)
            else:
                _update(person, values, result)
        User.objects.bulk_create(new, batch_size=2000)

    def export(self, year):
        for u in (
            User.objects.filter(agency__isnull=False, anonymised_at__isnull=True)
            .select_related("agency", "target_group")
            .order_by("email")
            .iterator()
        ):
            yield {
                "Email": u.email,
                "Name": u.full_name,
                "Agency": u.agency.name,
                "Staff group": u.target_group.number if u.target_group_id else "",
                "Job title": u.job_title,
                "Line manager's name": u.line_manager_name,
                "Line manager's email": u.line_manager_email,
            }


class Courses(Format):
    key, title = "courses", "Courses"
    columns = [
        ("Title", True),
        ("Level", True),
        ("Days", False),
        ("Hours", False),
        ("Delivery", False),
        ("Summary", False),
        ("Learning outcomes", False),
        ("Training for trainers", False),
        ("Free of charge", False),
    ]

    def prepare(self):
        self.levels = {lv.number: lv.pk for lv in Level.objects.all()}

    def _level(self, value):
        number = whole(value, low=1, high=9)
        if number not in self.levels:
            raise Problem(f"there is no level {number} in the training pathway")
        return self.levels[number]

    def _days(self, value):
        if not (value or "").strip():
            return None
        try:
            days = Decimal((value or "").strip())
        except InvalidOperation:
            raise Problem(f"'{value}' is not a number of days, like 1 or 0.5")
        if not days.is_finite() or days < QUARTER or days > 10 or not is_quarter_days(days):
            raise Problem("must be in quarter days from 0.25 to 10, like 0.25, 0.5 or 1.5")
        return days

    def _hours(self, value):
        if not (value or "").strip():
            return None
        try:
            hours = Decimal((value or "").strip())
        except InvalidOperation:
            raise Problem(f"'{value}' is not a number of hours, like 2 or 1.5")
        if not hours.is_finite() or hours < QUARTER or hours > 24 or not is_quarter_days(hours):
            raise Problem("must be in quarter hours from 0.25 to 24, like 2 or 1.5")
        return hours

    def parse(self, row):
        v = read(
            self,
            row,
            [
                ("Title", text),
                ("Level", self._level),
                ("Days", self._days),
                ("Hours", self._hours),
                (
                    "Delivery",
                    lambda x: (
                        choice(x, DeliveryMode.choices, what="delivery")
                        if (x or "").strip()
                        else DeliveryMode.FACE_TO_FACE
                    ),
                ),
                ("Summary", lambda x: text(x, required=False, limit=2000)),
                ("Learning outcomes", lambda x: text(x, required=False, limit=4000)),
                ("Training for trainers", yes_no),
                ("Free of charge", yes_no),
            ],
        )
        if (v["Days"] is None) == (v["Hours"] is None):
            raise RowProblems({"Days": "give the length in days or in hours (one of the two)"})
        return v["Title"].lower(), v

    def write(self, items, result):
        existing = {c.title.lower(): c for c in Course.objects.all()}
        day_hours = BookingPolicy.current().training_day_hours
        for v in items:
            outcomes = "\n".join(o.strip() for o in v["Learning outcomes"].split(";") if o.strip())
            values = {
                "level_id": v["Level"],
                "duration_days": v["Days"] if v["Hours"] is None else days_from_hours(v["Hours"], day_hours),
                "duration_hours": v["Hours"],
                "delivery_mode": v["Delivery"],
                "is_training_for_trainers": v["Training for trainers"],
                "charge_exempt": v["Free of charge"],
            }
            course = existing.get(v["Title"].lower())
            if course is None:
                Course.objects.create(
                    title=v["Title"],
                    slug=slugify(v["Title"])[:200],
                    summary=v["Summary"] or v["Title"],
                    learning_outcomes=outcomes or v["Title"],
                    **values,
                )
                result.count(created=True)
            else:
                if v["Summary"]:
                    values["summary"] = v["Summary"]
                if outcomes:
                    values["learning_outcomes"] = outcomes
                _update(course, values, result)

    def export(self, year):
        for c in Course.objects.select_related("level").order_by("title"):
            yield {
                "Title": c.title,
                "Level": c.level.number,
                "Days": "" if c.duration_hours else c.duration_days.normalize(),
                "Hours": c.duration_hours.normalize() if c.duration_hours else "",
                "Delivery": c.get_delivery_mode_display(),
                "Summary": c.summary,
                "Learning outcomes": "; ".join(c.outcomes()),
                "Training for trainers": "yes" if c.is_training_for_trainers else "no",
                "Free of charge": "yes" if c.charge_exempt else "no",
            }


def _local(day: date, at) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _in_year(queryset, year, field_name="starts_at"):
    if year is None:
        return queryset
    tz = timezone.get_current_timezone()
    begin = datetime.combine(year.starts_on, datetime.min.time(), tz)
    finish = datetime.combine(year.ends_on + timedelta(days=1), datetime.min.time(), tz)
    return queryset.filter(**{f"{field_name}__gte": begin, f"{field_name}__lt": finish})


class Sessions(Format):
    key, title = "sessions", "Sessions"
    columns = [
        ("Course", True),
        ("Date", True),
        ("Starts", True),
        ("Ends", True),
        ("Venue", False),
        ("Capacity", True),
        ("Status", False),
        ("Venue cost", False),
        ("Trainer fees", False),
        ("Catering", False),
        ("Materials", False),
    ]
    STATUSES = [
        (SessionStatus.SCHEDULED, "Scheduled"),
        (SessionStatus.COMPLETED, "Delivered"),
        (SessionStatus.COMPLETED, "Completed"),
        (SessionStatus.CANCELLED, "Cancelled"),
    ]

    def prepare(self):
        self.courses = {c.title.lower(): c for c in Course.objects.all()}
        self.venues = {v.name.lower(): v.pk for v in Venue.objects.all()}
        # What each venue holds: a session may not offer more places, as on the session form.
        self.venue_capacity = {v.pk: (v.name, place_capacity(v, None)) for v in Venue.objects.all()}

    def _course(self, value):
        title = (value or "").strip()
        if title.lower() not in self.courses:
            raise Problem(f"'{title}' is not a course in the catalogue: import the courses first")
        return self.courses[title.lower()]

    def _venue(self, value):
        name = (value or "").strip()
        if not name or name.lower() == "online":
            return None
        if name.lower() not in self.venues:
            raise Problem(f"'{name}' is not a venue we know: add it under Venues first, or write Online")
        return self.venues[name.lower()]

    def parse(self, row):
        v = read(
            self,
            row,
            [
                ("Course", self._course),
                ("Date", a_date),
                ("Starts", a_time),
                ("Ends", a_time),
                ("Venue", self._venue),
                ("Capacity", lambda x: whole(x, low=1, high=500)),
                ("Status", lambda x: choice(x or "Scheduled", self.STATUSES, what="session status")),
                ("Venue cost", money),
                ("Trainer fees", money),
                ("Catering", money),
                ("Materials", money),
            ],
        )
        if v["Ends"] <= v["Starts"]:
            raise RowProblems({"Ends": "must be after the start time"})
        name, holds = self.venue_capacity.get(v["Venue"], ("", None))
        if holds is not None and v["Capacity"] > holds:
            raise RowProblems({"Capacity": f"{name} holds {holds} people: offer at most {holds} places"})
        starts, ends = _local(v["Date"], v["Starts"]), _local(v["Date"], v["Ends"])
        return (v["Course"].pk, starts), {**v, "starts": starts, "ends": ends}

    def write(self, items, result):
        existing = {
            (s.course_id, s.starts_at): s for s in Session.objects.filter(starts_at__in=[v["starts"] for v in items])
        }
        for v in items:
            values = {
                "venue_id": v["Venue"],
                "capacity": v["Capacity"],
                "status": v["Status"],
                "ends_at": v["ends"],
                "venue_cost": v["Venue cost"],
                "trainer_fees": v["Trainer fees"],
                "catering_cost": v["Catering"],
                "materials_cost": v["Materials"],
                "online_link": "" if v["Venue"] else "https://meet.example.org/imported",
            }
            session = existing.get((v["Course"].pk, v["starts"]))
            if session is None:
                session = Session.objects.create(
                    course=v["Course"],
                    starts_at=v["starts"],
                    bookings_close_at=booking_cut_off(first_starts_at=v["starts"]),
                    register_closed_at=v["ends"] if v["Status"] == SessionStatus.COMPLETED else None,
                    cancelled_at=v["starts"] if v["Status"] == SessionStatus.CANCELLED else None,
                    **values,
                )
                SessionDate.objects.create(session=session, starts_at=v["starts"], ends_at=v["ends"])
                result.count(created=True)
            else:
                _update(session, values, result)

    def export(self, year):
        for s in _in_year(Session.objects.select_related("course", "venue"), year).order_by("starts_at").iterator():
            start, end = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
            yield {
                "Course": s.course.title,
                "Date": f"{start:%d/%m/%Y}",
                "Starts": f"{start:%H:%M}",
                "Ends": f"{end:%H:%M}",
                "Venue": s.venue.name if s.venue_id else "Online",
                "Capacity": s.capacity,
                "Status": {"scheduled": "Scheduled", "completed": "Delivered", "cancelled": "Cancelled"}[s.status],
                "Venue cost": s.venue_cost,
                "Trainer fees": s.trainer_fees,
                "Catering": s.catering_cost,
                "Materials": s.materials_cost,
            }


def _sessions_by_key():
    return {
        (s.course.title.lower(), timezone.localtime(s.starts_at).replace(tzinfo=None)): s.pk
        for s in Session.objects.select_related("course").only("pk", "starts_at", "course__title")
    }


class SessionRowMixin:
    def _session_key(self, row):
        v = read(self, row, [("Course", text), ("Date", a_date), ("Starts", a_time)])
        key = (v["Course"].lower(), datetime.combine(v["Date"], v["Starts"]))
        if key not in self.sessions:
            raise RowProblems(
                {
                    "Course": (
                        f"no session of '{v['Course']}' starts on {v['Date']:%d/%m/%Y} at {v['Starts']:%H:%M}: "
                        "import the sessions first"
                    )
                }
            )
        return self.sessions[key]

    def _person(self, value):
        email = normalise_email(value or "")
        if email not in self.people:
            raise Problem(f"nobody has the email '{value}': import the people first (people are matched by email)")
        return self.people[email]


OUTCOMES = [
    ("booked", "Booked"),
    ("cancelled", "Cancelled on time"),
    ("late", "Cancelled late"),
    ("attended", "Attended"),
    ("partial", "Partial"),
    ("no_show", "No-show"),
    ("walk_in", "Walk-in"),
]


class AttendanceFormat(SessionRowMixin, Format):
    key, title = "attendance", "Bookings and attendance"
    columns = [("Email", True), ("Course", True), ("Date", True), ("Starts", True), ("Outcome", True)]

    def prepare(self):
        self.sessions = _sessions_by_key()
        self.people = {
            email.lower(): (pk, agency)
            for pk, email, agency in User.objects.values_list("pk", "email", "agency_id").iterator()
        }

    def parse(self, row):
        problems = {}
        try:
            session_id = self._session_key(row)
        except RowProblems as p:
            problems.update(p.problems)
            session_id = None
        try:
            v = read(
                self,
                row,
                [
                    ("Email", self._person),
                    (
                        "Outcome",
                        lambda x: choice(
                            x.replace("-", " ").replace("_", " ") if x else x,
                            [(k, lbl) for k, lbl in OUTCOMES]
                            + [
                                ("no_show", "no show"),
                                ("walk_in", "walk in"),
                                ("late", "late"),
                                ("cancelled", "cancelled"),
                            ],
                            what="outcome",
                        ),
                    ),
                ],
            )
        except RowProblems as p:
            problems.update(p.problems)
            v = None
        if problems:
            raise RowProblems(problems)
        person_id, agency_id = v["Email"]
        return (session_id, person_id), (session_id, person_id, agency_id, v["Outcome"])

    def write(self, items, result):
        session_ids = {i[0] for i in items}
        bookings = {
            (b.session_id, b.person_id): b
            for b in Booking.objects.filter(session_id__in=session_ids).select_related("attendance")
        }
        records = {(r.session_id, r.person_id): r for r in AttendanceRecord.objects.filter(session_id__in=session_ids)}
        new_bookings, new_records = [], []
        for session_id, person_id, agency_id, outcome in items:
            key = (session_id, person_id)
            status = BookingStatus.CANCELLED if outcome in ("cancelled", "late") else BookingStatus.CONFIRMED
            mark = {
                "attended": Attendance.ATTENDED,
                "partial": Attendance.PARTIAL,
                "no_show": Attendance.NO_SHOW,
                "walk_in": Attendance.ATTENDED,
            }.get(outcome)
            booking, record = bookings.get(key), records.get(key)
            if booking is None and record is None:
                result.count(created=True)
                if outcome != "walk_in":
                    new_bookings.append(
                        Booking(
                            session_id=session_id,
                            person_id=person_id,
                            agency_id=agency_id,
                            status=status,
                            late_cancellation=outcome == "late",
                        )
                    )
                if mark:
                    new_records.append(
                        AttendanceRecord(
                            session_id=session_id,
                            person_id=person_id,
                            agency_id=agency_id,
                            outcome=mark,
                            walk_in=outcome == "walk_in",
                        )
                    )
                continue
            changed = False
            if booking is not None:
                changed |= _apply(booking, {"status": status, "late_cancellation": outcome == "late"})
                if changed:
                    booking.save()
            if mark and record is None:
                new_records.append(
                    AttendanceRecord(
                        session_id=session_id,
                        person_id=person_id,
                        agency_id=agency_id,
                        outcome=mark,
                        walk_in=outcome == "walk_in",
                        booking=booking,
                    )
                )
                changed = True
            elif record is not None and mark and record.outcome != mark:
                record.outcome = mark
                record.save(update_fields=["outcome"])
                changed = True
            result.count(changed=changed)
        Booking.objects.bulk_create(new_bookings, batch_size=5000)
        made = {(b.session_id, b.person_id): b.pk for b in new_bookings}
        for record in new_records:
            if record.booking_id is None and not record.walk_in:
                record.booking_id = made.get((record.session_id, record.person_id))
        AttendanceRecord.objects.bulk_create(new_records, batch_size=5000)

    def export(self, year):
        sessions = _in_year(Session.objects.all(), year)
        kept = [BookingStatus.CONFIRMED, BookingStatus.CANCELLED]
        rows = (
            Booking.objects.filter(session__in=sessions, status__in=kept)
            .select_related("person", "session__course", "attendance")
            .order_by("session__starts_at", "session_id", "person__email", "-created_at")
        )
        previous = None
        for b in rows.iterator(chunk_size=2000):
            # Someone who cancelled and booked again has two bookings: the latest is what happened.
            if (b.session_id, b.person_id) == previous:
                continue
            previous = (b.session_id, b.person_id)
            yield self._row(b.person.email, b.session, self._outcome(b, getattr(b, "attendance", None)))
        # Walk-ins have a register line but no booking.
        for r in AttendanceRecord.objects.filter(session__in=sessions, booking__isnull=True).select_related(
            "person", "session__course"
        ):
            yield self._row(r.person.email, r.session, "Walk-in" if r.walk_in else self._outcome(None, r))

    @staticmethod
    def _outcome(booking, record):
        if booking is not None and booking.status == BookingStatus.CANCELLED:
            return "Cancelled late" if booking.late_cancellation else "Cancelled on time"
        if record is None:
            return "Booked"
        return {"attended": "Attended", "partial": "Partial", "no_show": "No-show"}[record.outcome]

    @staticmethod
    def _row(email, session, outcome):
        start = timezone.localtime(session.starts_at)
        return {
            "Email": email,
            "Course": session.course.title,
            "Date": f"{start:%d/%m/%Y}",
            "Starts": f"{start:%H:%M}",
            "Outcome": outcome,
        }


class TrainerContributions(SessionRowMixin, Format):
    key, title = "trainer-contributions", "Trainer contributions"
    columns = [("Email", True), ("Course", True), ("Date", True), ("Starts", True), ("Share in days", False)]
    explanation = (
        "Each trainer counts the course's length in days for each session they delivered, "
        "or their share when one is given."
    )

    def prepare(self):
        self.sessions = _sessions_by_key()
        self.lengths = dict(Session.objects.values_list("pk", "course__duration_days"))
        self.people = {
            email.lower(): (pk, agency)
            for pk, email, agency in User.objects.values_list("pk", "email", "agency_id").iterator()
        }

    def _share(self, value):
        if not (value or "").strip():
            return None
        try:
            share = Decimal(value.strip())
        except InvalidOperation:
            raise Problem(f"'{value}' is not a number of days, like 0.25 or 0.5")
        if not share.is_finite() or share < QUARTER or share > 10 or not is_quarter_days(share):
            raise Problem("must be in quarter days, like 0.25, 0.5 or 0.75 (empty for the whole session)")
        return share

    def parse(self, row):
        session_id = self._session_key(row)
        v = read(self, row, [("Email", self._person), ("Share in days", self._share)])
        try:
            share = trainer_share(v["Share in days"], self.lengths[session_id])
        except ShareTooLong as too_long:
            raise RowProblems({"Share in days": str(too_long)}) from None
        return (session_id, v["Email"][0]), (session_id, v["Email"][0], share)

    def write(self, items, result):
        existing = {
            (r.session_id, r.user_id): r for r in SessionTrainer.objects.filter(session_id__in={s for s, _, _ in items})
        }
        new, changed = [], []
        for session_id, user_id, share in items:
            row = existing.get((session_id, user_id))
            if row is None:
                new.append(SessionTrainer(session_id=session_id, user_id=user_id, share_days=share))
            elif row.share_days != share:
                row.share_days = share
                changed.append(row)
        SessionTrainer.objects.bulk_create(new)
        SessionTrainer.objects.bulk_update(changed, ["share_days"])
        result.created += len(new)
        result.updated += len(changed)
        result.unchanged += len(items) - len(new) - len(changed)

    def export(self, year):
        rows = SessionTrainer.objects.filter(session__in=_in_year(Session.objects.all(), year)).select_related(
            "session__course", "user"
        )
        for r in rows.order_by("session__starts_at", "user__email"):
            start = timezone.localtime(r.session.starts_at)
            yield {
                "Email": r.user.email,
                "Course": r.session.course.title,
                "Date": f"{start:%d/%m/%Y}",
                "Starts": f"{start:%H:%M}",
                "Share in days": r.share_days.normalize() if r.share_days else "",
            }


class TnaReturns(Format):
    """Training needs returns are read, checked and written by the analysis's own import service,
    the one its import page uses, so both give the same result for the same file."""

    key, title = "tna-returns", "Training needs returns"
    columns = [(name, name in tna_services.IMPORT_COLUMNS) for name in RETURN_LINE_COLUMNS]
    explanation = (
        "Each return is left submitted, recorded as imported by you from the file; the status columns are ignored."
    )

    def run(self, content, *, commit, actor=None, file_name=""):
        result = Result(format=self.title)
        try:
            needs = tna_services.import_needs(actor=actor, text=content, file_name=file_name, commit=commit)
        except tna_services.TnaError as error:
            result.errors.append(Error(1, "", error.message))
            return result
        result.rows = needs.rows
        result.errors = [Error(p.line, p.column, p.message) for p in needs.errors]
        result.warnings = [str(w) for w in needs.warnings]
        result.created, result.updated, result.unchanged = needs.created, needs.updated, needs.unchanged
        result.outcomes = [str(r) for r in needs.returns]
        result.written = needs.written
        return result

    def export(self, year):
        # Submitted returns only: importing the file leaves every return it names submitted.
        yield from return_lines(year=year, submitted_only=True)


class TrainingElsewhere(Format):
    """An e-learning provider's completion report (or any list of training done elsewhere): each line
    is recorded through the pathway service the person's own form uses, and, imported by the training
    manager, is confirmed at once. A line already recorded changes nothing."""

    key, title = "training-elsewhere", "Training done elsewhere (e-learning completions)"
    columns = [("Email", True), ("Module", True), ("Provider", True), ("Level", True), ("Completed on", True)]
    explanation = "Imported by you, each line counts towards the person's pathway at once."

    def run(self, content, *, commit, actor=None, file_name=""):
        result = Result(format=self.title)
        if actor is None or not actor.is_training_manager:
            result.errors.append(Error(1, "", "Only a training manager can import training done elsewhere"))
            return result
        self.actor = actor
        lines = [line for line in content.splitlines() if line.strip(" ,\t")]
        if len(lines) == 1 and lines[0].split(",")[0].strip().lstrip("\ufeff") == "Email":
            # A year's export with nothing done elsewhere holds only the column names: nothing to do.
            result.written = commit
            return result
        return run_import(self, content, commit=commit)

    def prepare(self):
        self.levels = {level.number: level for level in Level.objects.all()}
        # Everyone's address once (a fixed number of queries, whatever the file's size).
        self.people = dict(User.objects.values_list("email", "pk"))
        self.people = {email.lower(): pk for email, pk in self.people.items()}

    def _person(self, value):
        email = normalise_email(value or "")
        if email not in self.people:
            raise Problem(f"no account has the email address '{value}': import or add the person first")
        return self.people[email]

    def _level(self, value):
        number = whole(value, low=1, high=99)
        if number not in self.levels:
            raise Problem(f"there is no level {number}")
        return self.levels[number]

    def _completed(self, value):
        day = a_date(value)
        if day > timezone.localdate():
            raise Problem("is in the future")
        return day

    def parse(self, row):
        v = read(
            self,
            row,
            [
                ("Email", self._person),
                ("Module", lambda x: text(x, limit=200)),
                ("Provider", lambda x: text(x, limit=200)),
                ("Level", self._level),
                ("Completed on", self._completed),
            ],
        )
        return (v["Email"], v["Level"].pk, v["Provider"].lower(), v["Completed on"]), v

    def write(self, items, result):
        from courses.models import ExternalTraining
        from courses.services.pathway import record_external_training

        people = {u.pk: u for u in User.objects.filter(pk__in={v["Email"] for v in items}).select_related("agency")}
        known = {
            (e.person_id, e.level_id, e.provider.lower(), e.completed_on)
            for e in ExternalTraining.objects.filter(person__in=people)
        }
        for v in items:
            if (v["Email"], v["Level"].pk, v["Provider"].lower(), v["Completed on"]) in known:
                result.count()
                continue
            record_external_training(
                actor=self.actor,
                person=people[v["Email"]],
                level=v["Level"],
                title=v["Module"],
                provider=v["Provider"],
                completed_on=v["Completed on"],
            )
            result.count(created=True)

    def export(self, year):
        from courses.models import ExternalTraining, ExternalTrainingStatus

        records = ExternalTraining.objects.filter(status=ExternalTrainingStatus.CONFIRMED)
        if year is not None:
            records = records.filter(completed_on__gte=year.starts_on, completed_on__lte=year.ends_on)
        for e in records.select_related("person", "level").order_by("completed_on", "person__email"):
            yield {
                "Email": e.person.email,
                "Module": e.title,
                "Provider": e.provider,
                "Level": e.level.number,
                "Completed on": f"{e.completed_on:%d/%m/%Y}",
            }


# In the order they import: later formats refer to what earlier ones bring in.
FORMATS = [
    TrainingYears,
    Agencies,
    People,
    Courses,
    Sessions,
    AttendanceFormat,
    TrainerContributions,
    TnaReturns,
    TrainingElsewhere,
]
BY_KEY = {f.key: f for f in FORMATS}
