"""The training manager's programme pages: sessions, courses, venues, the pathway and the policy."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import TargetGroup
from common.access import permission_required
from common.listing import table_page
from common.pagecache import shared_page
from common.views import form_error, post_data

from ..filters_manage import CourseFilter, SessionFilter
from ..forms.manage import (
    INVOICE_FIELDS,
    POLICY_FIELDS,
    CancelSessionForm,
    CourseForm,
    LevelForm,
    PathwayRuleForm,
    PolicyForm,
    RoomForm,
    SessionForm,
    TargetGroupForm,
    VenueForm,
    date_formset,
)
from ..models import (
    Booking,
    BookingPolicy,
    BookingStatus,
    Course,
    Level,
    PathwayRule,
    Room,
    SessionDate,
    SessionStatus,
    Venue,
)
from ..selectors.booking import sessions_with_places
from ..selectors.venues import venue_calendar, venue_with_rooms
from ..services import programme
from ..services.booking import BookingError, cancel_session
from ..services.programme import ProgrammeError, SessionNeedsConfirmation
from ..tables import CourseTable, SessionTable, VenueTable

MANAGE = "courses.manage_programme"


# --- Sessions ------------------------------------------------------------------------------


@permission_required(MANAGE)
@shared_page
def sessions(request):
    # With no filter chosen, start a month back: five years of past sessions are a filter away.
    data = request.GET or {"date_from": (timezone.localdate() - timedelta(days=30)).strftime("%d/%m/%Y")}
    filterset = SessionFilter(data, queryset=sessions_with_places())
    return table_page(
        request,
        table=SessionTable(filterset.qs),
        filterset=filterset,
        template="courses/manage/sessions.html",
        csv_filename="sessions.csv",
    )


def _session_or_404(pk):
    return get_object_or_404(
        sessions_with_places().prefetch_related(
            Prefetch("dates", queryset=SessionDate.objects.order_by("starts_at")), "trainers__agency"
        ),
        pk=pk,
    )


@permission_required(MANAGE)
def session_detail(request, pk):
    session = _session_or_404(pk)
    bookings = list(
        Booking.objects.filter(session=session)
        .select_related("person", "agency")
        .order_by("waitlist_priority", "created_at")
    )
    groups = [(label, [b for b in bookings if b.status == status]) for status, label in BookingStatus.choices]
    return render(
        request,
        "courses/manage/session.html",
        {
            "session": session,
            "groups": [g for g in groups if g[1]],
            # The same rule `save_session` applies: "Change" shows only while a change is accepted.
            "can_change": not programme.session_change_refusal(session),
        },
    )


def _save_session(request, form, dates, session=None):
    """The saved session, or None with the errors on the forms; warnings to confirm come back as
    `SessionNeedsConfirmation`."""
    spans = [f.span() for f in dates.forms if f.span()]
    if not spans:
        dates.forms[0].add_error("date", "Enter at least one date")
        return None
    data = form.cleaned_data
    try:
        return programme.save_session(
            actor=request.user,
            session=session,
            dates=spans,
            trainers=data["trainers"],
            confirmed=form.confirmed_warnings(),
            course=data["course"],
            venue=data["venue"],
            room=data["room"],
            online_link=data["online_link"],
            capacity=data["capacity"],
            bookings_close_at=programme.booking_cut_off(
                first_starts_at=min(span.starts_at for span in spans),
                close_date=data["close_date"],
                close_time=data["close_time"],
            ),
            venue_cost=data["venue_cost"],
            trainer_fees=data["trainer_fees"],
            catering_cost=data["catering_cost"],
            materials_cost=data["materials_cost"],
            notes=data["notes"],
        )
    except SessionNeedsConfirmation:
        raise
    except ProgrammeError as error:
        if error.field == "dates":
            dates.forms[0].add_error(None, error.message)
            form.add_error(None, error.message)
        else:
            form_error(form, error)
        return None


def _initial_from(session):
    close = timezone.localtime(session.bookings_close_at)
    return {
        "course": session.course_id,
        "venue": session.venue_id,
        "room": session.room_id,
        "online_link": session.online_link,
        "capacity": session.capacity,
        "close_date": f"{close:%d/%m/%Y}",
        "close_time": f"{close:%H:%M}",
        "trainers": list(session.trainers.all()),
        "venue_cost": session.venue_cost,
        "trainer_fees": session.trainer_fees,
        "catering_cost": session.catering_cost,
        "materials_cost": session.materials_cost,
        "notes": session.notes,
    }


@permission_required(MANAGE)
def session_edit(request, pk=None, copy_of=None):
    session = _session_or_404(pk) if pk else None
    source = _session_or_404(copy_of) if copy_of else session
    initial = _initial_from(source) if source else {}
    if copy_of:
        initial.pop("close_date"), initial.pop("close_time")
    form = SessionForm(post_data(request), initial=initial)
    dates = date_formset(post_data(request), dates=list(session.dates.all()) if session else [])
    if request.method == "POST":
        form_ok, dates_ok = form.is_valid(), dates.is_valid()
        if dates_ok and not any(f.span() for f in dates.forms):
            dates.forms[0].add_error("date", "Enter at least one date")
            dates_ok = False
    warnings = []
    if request.method == "POST" and form_ok and dates_ok:
        try:
            saved = _save_session(request, form, dates, session=session)
        except SessionNeedsConfirmation as needs:
            warnings, saved = needs.warnings, None
            data = request.POST.copy()
            data["confirmed"] = "\n".join(warnings)
            form = SessionForm(data, initial=initial)
            form.is_valid()
        if saved:
            told = saved.delegates_told
            messages.success(
                request,
                ("Session saved." if session else "Session created.")
                + (
                    f" {told} {'person' if told == 1 else 'people'} booked or waiting "
                    f"{'has' if told == 1 else 'have'} been emailed the changes."
                    if told
                    else ""
                ),
            )
            return redirect("courses:manage-session", pk=saved.pk)
    title = "Change session" if session else (f"Copy of {source.course.title}" if copy_of else "Create a session")
    return render(
        request,
        "courses/manage/session_form.html",
        {
            "form": form,
            "dates": dates,
            "session": session,
            "title": title,
            "copy_of": source if copy_of else None,
            "warnings": warnings,
        },
    )


@permission_required(MANAGE)
def session_cancel(request, pk):
    session = _session_or_404(pk)
    form = CancelSessionForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            told = cancel_session(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except BookingError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                f"Session cancelled. {told} {'person' if told == 1 else 'people'} booked or waiting "
                f"{'has' if told == 1 else 'have'} been emailed.",
            )
            return redirect("courses:manage-session", pk=session.pk)
    return render(request, "courses/manage/session_cancel.html", {"form": form, "session": session})


# --- Courses and venues ----------------------------------------------------------------------


@permission_required(MANAGE)
def courses(request):
    queryset = Course.objects.select_related("level").annotate(
        upcoming=Count(
            "sessions", filter=Q(sessions__status=SessionStatus.SCHEDULED, sessions__starts_at__gt=timezone.now())
        )
    )
    filterset = CourseFilter(request.GET or None, queryset=queryset)
    return table_page(
        request,
        table=CourseTable(filterset.qs),
        filterset=filterset,
        template="courses/manage/courses.html",
        csv_filename="courses.csv",
    )


@permission_required(MANAGE)
def course_edit(request, pk=None):
    course = get_object_or_404(Course, pk=pk) if pk else None
    form = CourseForm(post_data(request), instance=course)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target_groups, prerequisites = data.pop("target_groups"), data.pop("prerequisites")
        try:
            course = programme.save_course(
                actor=request.user, course=course, target_groups=target_groups, prerequisites=prerequisites, **data
            )
        except ProgrammeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{course.title} saved.")
            return redirect("courses:manage-courses")
    return render(request, "courses/manage/course_form.html", {"form": form, "course": course})


@permission_required(MANAGE)
def venues(request):
    queryset = Venue.objects.annotate(
        sessions_count=Count("sessions", distinct=True), rooms_count=Count("rooms", distinct=True)
    )
    return table_page(
        request,
        table=VenueTable(queryset),
        filterset=None,
        template="courses/manage/venues.html",
        csv_filename="venues.csv",
    )


@permission_required(MANAGE)
def venue_edit(request, pk=None):
    venue = get_object_or_404(Venue, pk=pk) if pk else None
    form = VenueForm(post_data(request), instance=venue)
    if request.method == "POST" and form.is_valid():
        try:
            venue = programme.save_venue(actor=request.user, venue=venue, **form.cleaned_data)
        except ProgrammeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{venue.name} saved.")
            return redirect("courses:manage-venue", pk=venue.pk)
    return render(request, "courses/manage/venue_form.html", {"form": form, "venue": venue})


@permission_required(MANAGE)
def venue_detail(request, pk):
    """A venue's rooms and its calendar: every session there from today, day by day."""
    venue = venue_with_rooms(pk)
    if venue is None:
        raise Http404("No such venue")
    return render(request, "courses/manage/venue.html", {"venue": venue, "calendar": venue_calendar(venue)})


@permission_required(MANAGE)
def room_edit(request, venue_pk, pk=None):
    venue = get_object_or_404(Venue, pk=venue_pk)
    room = get_object_or_404(Room, pk=pk, venue=venue) if pk else None
    form = RoomForm(post_data(request), instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            room = programme.save_room(actor=request.user, venue=venue, room=room, **form.cleaned_data)
        except ProgrammeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{room.name} saved.")
            return redirect("courses:manage-venue", pk=venue.pk)
    return render(request, "courses/manage/room_form.html", {"form": form, "venue": venue, "room": room})


# --- Pathway and policy ----------------------------------------------------------------------


@permission_required(MANAGE)
def pathway(request):
    form = PathwayRuleForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme.save_pathway_rule(actor=request.user, **form.cleaned_data)
        except ProgrammeError as error:
            form_error(form, error)
        else:
            messages.success(request, "Requirement added.")
            return redirect("courses:manage-pathway")
    rules = PathwayRule.objects.select_related("target_group", "level", "course").order_by(
        "target_group__number", "level__number", "course__title"
    )
    return render(
        request,
        "courses/manage/pathway.html",
        {
            "form": form,
            "rules": rules,
            "levels": Level.objects.all(),
            "groups": TargetGroup.objects.all(),
        },
    )


def _numbered_edit(request, *, model, form_class, pk, noun):
    instance = get_object_or_404(model, pk=pk) if pk else model()
    form = form_class(post_data(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = programme.save_numbered(actor=request.user, instance=instance, **form.cleaned_data)
        except ProgrammeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{saved} saved.")
            return redirect("courses:manage-pathway")
    return render(request, "courses/manage/numbered_form.html", {"form": form, "instance": instance, "noun": noun})


@permission_required(MANAGE)
def level_edit(request, pk=None):
    return _numbered_edit(request, model=Level, form_class=LevelForm, pk=pk, noun="level")


@permission_required(MANAGE)
def target_group_edit(request, pk=None):
    return _numbered_edit(request, model=TargetGroup, form_class=TargetGroupForm, pk=pk, noun="staff group")


@require_POST
@permission_required(MANAGE)
def pathway_rule_delete(request, pk):
    rule = get_object_or_404(PathwayRule, pk=pk)
    programme.delete_pathway_rule(actor=request.user, rule=rule)
    messages.success(request, f"Requirement removed: {rule}.")
    return redirect("courses:manage-pathway")


@permission_required(MANAGE)
def policy(request):
    form = PolicyForm(post_data(request), instance=BookingPolicy.current())
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in [*POLICY_FIELDS, *INVOICE_FIELDS]}
        try:
            programme.save_policy(actor=request.user, fee_rates=form.fee_rates(), **data)
        except ProgrammeError as error:
            form_error(form, error)
        else:
            messages.success(request, "Booking and charging policy saved.")
            return redirect("courses:manage-policy")
    return render(request, "courses/manage/policy.html", {"form": form})
