"""The training manager's programme: courses, venues, sessions, the pathway and the policy."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import log_action
from common.errors import DomainError

from ..calendar import working_days_before
from ..durations import (
    ShareTooLong,
    charged_days,
    days_from_hours,
    days_in_words,
    duration_in_words,
    is_quarter_days,
    trainer_share,
)
from ..models import (
    ACTIVE,
    HOLDS_PLACE,
    Booking,
    BookingPolicy,
    Course,
    FeeRate,
    PathwayRule,
    Room,
    Session,
    SessionDate,
    SessionStatus,
    SessionTrainer,
    Venue,
)
from ..selectors.venues import place_capacity, room_clashes
from ..signals import checking_trainers


class ProgrammeError(DomainError):
    pass


class SessionNeedsConfirmation(ProgrammeError):
    """The session would be saved with warnings the training manager has not yet seen and accepted."""

    def __init__(self, warnings: list[str]):
        super().__init__("Check the warnings before saving this session.")
        self.warnings = warnings


# The longest course the catalogue holds, in training days (the course's own constraint says the same).
MAX_COURSE_DAYS = 10


def _require_manager(actor) -> None:
    if not actor.is_training_manager:
        raise ProgrammeError("Only the training manager can change the programme.")


def _validated(instance, **changes):
    for field, value in changes.items():
        setattr(instance, field, value)
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ProgrammeError(messages[0], field=field if field != "__all__" else None) from exc
    return instance


# --- Courses ---------------------------------------------------------------------------------


@transaction.atomic
def save_course(*, actor, course: Course | None = None, target_groups=(), prerequisites=(), **values) -> Course:
    """Create or change a course. Titles are unique; a course cannot need itself, directly or in a loop.
    Its length is given in days or in hours (`duration_hours`); hours are turned into training days by
    the policy's length of a training day, here and only here (and again when that length changes)."""
    _require_manager(actor)
    creating = course is None
    course = course or Course()
    if "duration_hours" in values or "duration_days" in values:
        hours, days = values.get("duration_hours"), values.get("duration_days")
        if hours is None and days is None:
            raise ProgrammeError("Enter the length in days, or in hours", field="duration_days")
        if hours is not None and days is not None:
            raise ProgrammeError("Enter the length in days or in hours, not both", field="duration_hours")
        if hours is not None:
            values["duration_days"] = days_from_hours(hours, BookingPolicy.current().training_day_hours)
            if values["duration_days"] > MAX_COURSE_DAYS:
                raise ProgrammeError(
                    f"{hours.normalize():f} hours is more than {MAX_COURSE_DAYS} training days: "
                    "give the length in days",
                    field="duration_hours",
                )
        else:
            values["duration_hours"] = None
    title = values.get("title", course.title).strip()
    if Course.objects.filter(title__iexact=title).exclude(pk=course.pk).exists():
        raise ProgrammeError("A course with this title already exists", field="title")
    values["title"] = title
    values["slug"] = course.slug if course.slug and course.title == title else _free_slug(title, course.pk)
    _validated(course, **values)
    course.save()
    course.target_groups.set(target_groups)
    prerequisites = list(prerequisites)
    if any(p.pk == course.pk for p in prerequisites):
        raise ProgrammeError("A course cannot be its own prerequisite", field="prerequisites")
    for pre in prerequisites:
        if _requires(pre, course):
            raise ProgrammeError(
                f"{pre.title} already needs {course.title} first, so it cannot be a prerequisite of it",
                field="prerequisites",
            )
    course.prerequisites.set(prerequisites)
    log_action(actor=actor, action="created course" if creating else "changed course", obj=course)
    return course


def _free_slug(title: str, pk) -> str:
    base = slugify(title)[:190] or "course"
    slug, n = base, 2
    while Course.objects.filter(slug=slug).exclude(pk=pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _requires(course: Course, target: Course, seen=None) -> bool:
    """Whether `course` needs `target` first, through any chain of prerequisites."""
    seen = seen or set()
    for pre in course.prerequisites.all():
        if pre.pk == target.pk:
            return True
        if pre.pk not in seen:
            seen.add(pre.pk)
            if _requires(pre, target, seen):
                return True
    return False


# --- Venues ------------------------------------------------------------------------------------


@transaction.atomic
def save_venue(*, actor, venue: Venue | None = None, **values) -> Venue:
    """Create or change a venue. Names are unique; it must hold at least as many people as its
    largest room."""
    _require_manager(actor)
    creating = venue is None
    venue = venue or Venue()
    if Venue.objects.filter(name__iexact=values.get("name", "").strip()).exclude(pk=venue.pk).exists():
        raise ProgrammeError("A venue with this name already exists", field="name")
    if venue.pk and values.get("capacity"):
        largest = venue.rooms.filter(active=True).order_by("-capacity").first()
        if largest and largest.capacity > values["capacity"]:
            raise ProgrammeError(
                f"{largest.name} alone holds {largest.capacity}: the venue must hold at least that many",
                field="capacity",
            )
    _validated(venue, **values)
    venue.save()
    log_action(actor=actor, action="created venue" if creating else "changed venue", obj=venue)
    return venue


@transaction.atomic
def save_room(*, actor, venue: Venue, room: Room | None = None, name: str, capacity: int, active: bool = True) -> Room:
    """Add or change a room of a venue that books its rooms separately. Names are unique within
    the venue; a room cannot hold more than its venue."""
    _require_manager(actor)
    creating = room is None
    room = room or Room(venue=venue)
    name = name.strip()
    if Room.objects.filter(venue=venue, name__iexact=name).exclude(pk=room.pk).exists():
        raise ProgrammeError(f"{venue.name} already has a room called {name}", field="name")
    if venue.capacity and capacity > venue.capacity:
        raise ProgrammeError(
            f"{venue.name} holds {venue.capacity} people: a room of it cannot hold more", field="capacity"
        )
    if room.pk and room.capacity != capacity:
        fuller = (
            Session.objects.filter(room=room, status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())
            .filter(capacity__gt=capacity)
            .order_by("starts_at")
            .first()
        )
        if fuller:
            raise ProgrammeError(
                f"{fuller} offers {fuller.capacity} places in this room: reduce its places first", field="capacity"
            )
    _validated(room, name=name, capacity=capacity, active=active)
    room.save()
    log_action(
        actor=actor,
        action="added room" if creating else "changed room",
        obj=venue,
        changes={"room": name, "capacity": capacity, "active": active},
    )
    return room


# --- Sessions ----------------------------------------------------------------------------------

# The Board's default booking cut-off: 17:00, two working days before a session's first date,
# so the training team can send the list of delegates to the venue and the trainers in time.
DEFAULT_CUT_OFF_WORKING_DAYS = 2
DEFAULT_CUT_OFF_TIME = time(17, 0)


def default_cut_off_in_words() -> str:
    """The default, as the session form's hints put it."""
    return f"{DEFAULT_CUT_OFF_TIME:%H:%M}, {DEFAULT_CUT_OFF_WORKING_DAYS} working days before the first date"


def booking_cut_off(*, first_starts_at: datetime, close_date: date | None = None, close_time: time | None = None):
    """When booking for a session closes: the date (and time) the training manager chose, a
    chosen date without a time at 17:00, or by default 17:00 two working days before the
    first date (weekends and bank holidays are not working days)."""
    if close_date is None:
        first_day = timezone.localtime(first_starts_at).date()
        close_date = working_days_before(first_day, DEFAULT_CUT_OFF_WORKING_DAYS)
    return timezone.make_aware(datetime.combine(close_date, close_time or DEFAULT_CUT_OFF_TIME))


@dataclass(frozen=True)
class DateSpan:
    starts_at: datetime
    ends_at: datetime


# A date of up to four hours is a half day of training; a longer one is a full day.
HALF_DAY_HOURS = 4


def days_of_training(dates: list[DateSpan]) -> Decimal:
    """How many days of training the dates make, in half days."""
    return sum(
        (Decimal("0.5") if d.ends_at - d.starts_at <= timedelta(hours=HALF_DAY_HOURS) else Decimal("1") for d in dates),
        Decimal("0"),
    )


def session_warnings(*, course: Course | None, dates: list[DateSpan], now=None) -> list[str]:
    """What the training manager confirms before such a session is saved: dates in the past
    (legitimate when catching up on sessions already run, whose register is then taken at once)
    and dates that do not add up to the course's length."""
    warnings = []
    now = now or timezone.now()
    if dates and min(d.starts_at for d in dates) < now:
        warnings.append(
            "The session starts in the past. That is right when recording a session already run "
            "(its register can be taken at once, and its charges and figures count on its own dates)."
        )
    if course is not None and dates:
        # Both lengths in half days, as charges count them: a two-hour briefing on one morning matches.
        days = days_of_training(dates)
        if days != charged_days(course.duration_days):
            lasts = duration_in_words(course.duration_days, hours=course.duration_hours).lower()
            warnings.append(
                f"{course.title} lasts {lasts}, but these dates make {days_in_words(days).lower()} "
                f"(a date of up to {HALF_DAY_HOURS} hours is half a day)."
            )
    return warnings


def session_change_refusal(session: Session, *, now=None) -> str:
    """Why a session's details can no longer be changed ("" while they can): once it has been
    cancelled or completed, or has started, it is left as it was."""
    if session.status != SessionStatus.SCHEDULED:
        return f"This session is {session.get_status_display().lower()}, so it cannot be changed."
    if session.starts_at <= (now or timezone.now()):
        return "This session has started, so it cannot be changed."
    return ""


def _delegate_facts(session: Session) -> dict[str, str]:
    """What a delegate relies on to be in the right place at the right time, in words: a change
    to any of it is emailed to everyone booked, offered or waiting."""
    dates = SessionDate.objects.filter(session=session).order_by("starts_at")
    if session.venue_id:
        place = ", ".join([session.venue.name, *([session.room.name] if session.room_id else [])])
    else:
        place = "Online"
    return {
        "Dates and times": "; ".join(str(d) for d in dates),
        "Where": place,
        "Online joining link": session.online_link or "None",
    }


def _tell_delegates_of_changes(
    *, session: Session, changes: list[tuple[str, str, str]], dates_before: list[SessionDate]
) -> int:
    """Email everyone booked, offered or waiting once with what changed. Those holding a place get
    the calendar file again with the same event and a raised sequence, so their calendar moves the
    event instead of adding a second one; the waiting list never had one. Returns how many were told."""
    from accounts.mail import queue_email

    from ..ics import session_ics
    from .booking import _link

    session.calendar_sequence += 1
    session.save(update_fields=["calendar_sequence"])
    bookings = list(Booking.objects.filter(session=session, status__in=ACTIVE).select_related("person").order_by("pk"))
    dates = list(SessionDate.objects.filter(session=session).order_by("starts_at"))
    for booking in bookings:
        attachments = []
        if booking.status in HOLDS_PLACE:
            attachments.append(
                {
                    "filename": "session.ics",
                    # A date dropped from the session is cancelled in their calendar, not left behind.
                    "content": session_ics(
                        session, attendee_email=booking.person.email, dropped=dates_before[len(dates) :]
                    ),
                    "mimetype": "text/calendar",
                }
            )
        queue_email(
            to=booking.person.email,
            subject=f"Session changed: {session.course.title}",
            template="session_changed",
            context={
                "person": booking.person,
                "session": session,
                "booking": booking,
                "dates": dates,
                "changes": changes,
                "has_calendar": bool(attachments),
                "manage_link": _link("", "courses:booking", booking.pk),
            },
            attachments=attachments,
        )
    return len(bookings)


def _place_warnings(*, session: Session, venue: Venue | None, room: Room | None, dates) -> list[str]:
    if venue is None:
        return []
    place = str(room) if room else venue.name
    warnings, seen = [], set()
    for clash in room_clashes(venue=venue, room=room, spans=dates, exclude_pk=session.pk):
        if clash.session_id in seen:
            continue
        seen.add(clash.session_id)
        where = f" ({clash.session.room.name})" if room is None and clash.session.room_id else ""
        warnings.append(f"{place} is already booked at that time{where}: {clash.session.course.title}, {clash}.")
    return warnings


def _trainer_warnings(*, session: Session, trainer_ids: list[int]) -> list[str]:
    """The trainer checks of the trainer pool (the session's Trainers page), asked through
    `checking_trainers` because the pool sits to the right of courses."""
    if not trainer_ids:
        return []
    answers = checking_trainers.send(sender=Session, session_id=session.pk, trainer_ids=trainer_ids)
    return [warning for _receiver, found in answers for warning in (found or [])]


@transaction.atomic
def save_session(
    *, actor, session: Session | None = None, dates: list[DateSpan], trainers=(), confirmed=(), **values
) -> Session:
    """Create or change a session with its dates. It keeps `starts_at`/`ends_at`
    equal to its first start and last end, refuses a capacity below the places
    already taken or above what its room (or venue) holds, and leaves sessions that
    have started or were cancelled alone.

    Saved only once the training manager has confirmed each warning (`confirmed`: the warnings
    they were shown), raised as `SessionNeedsConfirmation`: dates in the past or not matching the
    course's length, the room already taken at that time, and the trainer pool's checks on each
    trainer newly chosen. A change to the dates, times, place or
    joining link is emailed to everyone booked, offered or waiting (`session.delegates_told`)."""
    _require_manager(actor)
    if not dates:
        raise ProgrammeError("Add at least one date", field="dates")
    dates = sorted(dates, key=lambda d: d.starts_at)
    for d in dates:
        if d.ends_at <= d.starts_at:
            raise ProgrammeError("Each date must end after it starts", field="dates")
    for earlier, later in zip(dates, dates[1:]):
        if later.starts_at < earlier.ends_at:
            raise ProgrammeError("The dates overlap", field="dates")
    creating = session is None
    before, dates_before, trainers_before = None, [], set()
    if not creating:
        session = Session.objects.select_for_update(of=("self",)).select_related("venue", "room").get(pk=session.pk)
        refusal = session_change_refusal(session)
        if refusal:
            raise ProgrammeError(refusal)
        taken = Booking.objects.filter(session=session, status__in=HOLDS_PLACE).count()
        if values.get("capacity", session.capacity) < taken:
            raise ProgrammeError(
                f"{taken} {'place is' if taken == 1 else 'places are'} already taken: "
                "the capacity cannot be less than that",
                field="capacity",
            )
        before = _delegate_facts(session)
        dates_before = list(SessionDate.objects.filter(session=session).order_by("starts_at"))
        trainers_before = set(session.trainers.values_list("pk", flat=True))
    session = session or Session()
    course = values.get("course", getattr(session, "course", None))
    venue, room = values.get("venue"), values.get("room")
    if not venue and not values.get("online_link"):
        raise ProgrammeError("Choose a venue, or give the online joining link", field="venue")
    if course is not None and course.delivery_mode == "face_to_face" and not venue:
        raise ProgrammeError("Choose a venue: this course is delivered face to face", field="venue")
    if room is not None and (venue is None or room.venue_id != venue.pk):
        raise ProgrammeError("Choose a room of the venue you chose", field="room")
    if venue is not None and room is None and venue.rooms.filter(active=True).exists():
        raise ProgrammeError(f"Choose a room: {venue.name} books its rooms separately", field="room")
    limit = place_capacity(venue, room)
    capacity = values.get("capacity", session.capacity)
    # Checked when the place or the number of places is chosen: a session recorded before its venue's
    # capacity was can still have its notes or costs changed.
    placing = creating or (capacity, getattr(venue, "pk", None), getattr(room, "pk", None)) != (
        session.capacity,
        session.venue_id,
        session.room_id,
    )
    if placing and limit is not None and capacity is not None and capacity > limit:
        raise ProgrammeError(f"{room or venue} holds {limit} people: offer at most {limit} places", field="capacity")
    if values.get("bookings_close_at") and values["bookings_close_at"] >= dates[0].starts_at:
        raise ProgrammeError("The booking cut-off must be before the first date", field="bookings_close_at")
    for cost in ("venue_cost", "trainer_fees", "catering_cost", "materials_cost"):
        if values.get(cost) is not None and values[cost] < Decimal("0"):
            raise ProgrammeError("Costs cannot be negative", field=cost)
    _validated(session, starts_at=dates[0].starts_at, ends_at=dates[-1].ends_at, **values)
    session.save()
    session.dates.all().delete()
    SessionDate.objects.bulk_create(
        [SessionDate(session=session, starts_at=d.starts_at, ends_at=d.ends_at) for d in dates]
    )
    session.trainers.set(trainers)
    after = _delegate_facts(session)
    changes = [(what, before[what], after[what]) for what in after if before[what] != after[what]] if before else []
    warnings = []
    # Dates are checked when they are chosen, not on every later edit of the notes or costs.
    if creating or any(what == "Dates and times" for what, _old, _new in changes):
        warnings += session_warnings(course=course, dates=dates)
    # The room is checked when the session takes it or changes time in it, not on every later edit.
    if creating or any(what in ("Dates and times", "Where") for what, _old, _new in changes):
        warnings += _place_warnings(session=session, venue=venue, room=room, dates=dates)
    warnings += _trainer_warnings(session=session, trainer_ids=[t.pk for t in trainers if t.pk not in trainers_before])
    if any(warning not in confirmed for warning in warnings):
        # Raising undoes the whole save: nothing is kept until the warnings are confirmed.
        raise SessionNeedsConfirmation(warnings)
    session.delegates_told = 0
    if before is not None:
        if changes:
            session.delegates_told = _tell_delegates_of_changes(
                session=session, changes=changes, dates_before=dates_before
            )
        # More places, or a later cut-off, may let the waiting list move.
        from .booking import offer_free_places

        offer_free_places(session)
    log_action(
        actor=actor,
        action="created session" if creating else "changed session",
        obj=session,
        changes={
            "dates": [f"{timezone.localtime(d.starts_at):%d/%m/%Y %H:%M}" for d in dates],
            "capacity": session.capacity,
            **({"warnings confirmed": warnings} if warnings else {}),
            **({"delegates told of": [what for what, _old, _new in changes]} if changes else {}),
        },
    )
    return session


@transaction.atomic
def record_trainer_share(*, actor, session: Session, trainer, share_days: Decimal | None) -> SessionTrainer:
    """Record the part of a session a trainer delivered, in quarter days, when it was not the
    whole session (None: the whole session). Trainer days count the share instead of the
    course's length. A share is more than nothing and no more than the course's length."""
    _require_manager(actor)
    row = SessionTrainer.objects.select_for_update().filter(session=session, user=trainer).first()
    if row is None:
        raise ProgrammeError(f"{trainer.full_name} is not one of this session's trainers.")
    if session.status == SessionStatus.CANCELLED:
        raise ProgrammeError("This session was cancelled, so nobody delivered it.")
    if share_days is not None and (share_days <= 0 or not is_quarter_days(share_days)):
        raise ProgrammeError("Enter the share in quarter days, like 0.25, 0.5 or 0.75", field="share_days")
    try:
        share_days = trainer_share(share_days, session.course.duration_days)
    except ShareTooLong:
        raise ProgrammeError(
            f"The course is {session.course.duration_in_words.lower()} long: enter a smaller share, "
            "or leave it empty for the whole session",
            field="share_days",
        ) from None
    before = row.share_days
    row.share_days = share_days
    row.save(update_fields=["share_days"])
    log_action(
        actor=actor,
        action="recorded trainer's share",
        obj=session,
        changes={trainer.full_name: [str(before or "whole session"), str(share_days or "whole session")]},
    )
    return row


# --- The pathway and the policy ---------------------------------------------------------------


@transaction.atomic
def save_pathway_rule(
    *, actor, rule: PathwayRule | None = None, target_group, level=None, course=None, refresh_months=None
) -> PathwayRule:
    _require_manager(actor)
    if (level is None) == (course is None):
        raise ProgrammeError("Choose a level or a named course, not both", field="level")
    duplicate = PathwayRule.objects.filter(target_group=target_group, level=level, course=course)
    if rule is not None:
        duplicate = duplicate.exclude(pk=rule.pk)
    if duplicate.exists():
        raise ProgrammeError("This staff group already has that requirement", field="level")
    rule = rule or PathwayRule()
    _validated(rule, target_group=target_group, level=level, course=course, refresh_months=refresh_months)
    rule.save()
    log_action(actor=actor, action="saved pathway rule", obj=rule)
    return rule


@transaction.atomic
def save_numbered(*, actor, instance, number: int, name: str, description: str):
    """Save a level or a staff group: data the Board edits. Numbers are unique, 1 or more."""
    _require_manager(actor)
    model = type(instance)
    if number is None or number < 1:
        raise ProgrammeError("Enter a number of 1 or more", field="number")
    if model.objects.filter(number=number).exclude(pk=instance.pk).exists():
        raise ProgrammeError(f"Number {number} is already used", field="number")
    creating = instance.pk is None
    _validated(instance, number=number, name=name.strip(), description=description.strip())
    instance.save()
    log_action(actor=actor, action=f"{'created' if creating else 'changed'} {model._meta.verbose_name}", obj=instance)
    return instance


@transaction.atomic
def delete_pathway_rule(*, actor, rule: PathwayRule) -> None:
    _require_manager(actor)
    log_action(actor=actor, action="removed pathway rule", obj=rule)
    rule.delete()


@transaction.atomic
def save_policy(*, actor, fee_rates: dict, **values) -> BookingPolicy:
    """Save the booking and charging policy and the fee for each organisation category."""
    _require_manager(actor)
    policy = BookingPolicy.current()
    before = {field: str(getattr(policy, field)) for field in values}
    day_length_before = policy.training_day_hours
    _validated(policy, **values)
    policy.save()
    if policy.training_day_hours != day_length_before:
        # Courses measured in hours count again by the new length of a training day.
        courses = list(Course.objects.filter(duration_hours__isnull=False).order_by("title"))
        for course in courses:
            course.duration_days = days_from_hours(course.duration_hours, policy.training_day_hours)
            if course.duration_days > MAX_COURSE_DAYS:
                raise ProgrammeError(
                    f"With a training day of {policy.training_day_hours.normalize():f} hours, {course.title} "
                    f"would last more than {MAX_COURSE_DAYS} days: give a longer training day",
                    field="training_day_hours",
                )
        Course.objects.bulk_update(courses, ["duration_days"])
    for category, (per_day, per_half_day) in fee_rates.items():
        if per_day < 0 or per_half_day < 0:
            raise ProgrammeError("Fees cannot be negative")
        FeeRate.objects.update_or_create(
            category=category, defaults={"policy": policy, "per_day": per_day, "per_half_day": per_half_day}
        )
    changes = {
        field: [before[field], str(getattr(policy, field))]
        for field in values
        if before[field] != str(getattr(policy, field))
    }
    log_action(actor=actor, action="changed booking policy", obj=policy, changes=changes)
    return policy
