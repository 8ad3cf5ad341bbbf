"""The public catalogue, course pages, "My training" and an agency's training summary."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.models import Agency, User
from accounts.selectors import get_person_for_user
from common.access import permission_required
from common.dates import written
from common.listing import addresses_for, table_page
from common.pagecache import PER_PERSON, PER_ROLES, shared_page

from ..filters_catalogue import CatalogueFilter
from ..filters_training import AgencyTrainingFilter
from ..gates import held_certificates
from ..models import ACTIVE, Booking, Certificate, Course, ExternalTraining
from ..selectors.booking import sessions_a_trainer_delivers
from ..selectors.catalogue import catalogue_courses, catalogue_page, get_course_page, listed
from ..selectors.external_training import how_many_wait_for
from ..selectors.training_record import agency_training_summary, courses_meeting, overall_status, requirements_for
from ..services.charges import cost_in_words
from ..tables_training import AgencyTrainingTable

PER_PAGE = 20


@shared_page(per=PER_ROLES)
def catalogue(request):
    # One set of filters: checked first for the dates and places, which narrow the sessions
    # (the selector applies them), then given the courses to narrow by the rest.
    filterset = CatalogueFilter(request.GET or None, queryset=Course.objects.none())
    valid = filterset.is_bound and filterset.is_valid()
    data = filterset.form.cleaned_data if valid else {}
    base = catalogue_courses(
        date_from=data.get("date_from"), date_to=data.get("date_to"), has_places=bool(data.get("has_places"))
    )
    filterset.queryset = base
    courses = (
        filterset.qs.distinct().order_by("level__number", "title") if valid else base.order_by("level__number", "title")
    )
    page = catalogue_page(courses, request.GET.get("page"), PER_PAGE)
    course_address, session_address = addresses_for("courses:course"), addresses_for("courses:session")
    for course in listed(page, date_from=data.get("date_from"), date_to=data.get("date_to")):
        course.address = course_address(course.slug)
        for session in course.upcoming:
            session["line"] = _listed_date(session, session_address(session["pk"]))
    return render(
        request,
        "courses/catalogue/catalogue.html",
        {
            "filter": filterset,
            "page": page,
            "form": filterset.form if filterset.is_bound and not valid else None,
        },
    )


def _listed_date(session: dict, address: str) -> str:
    """A date under a course in the catalogue, with where it is and the places left: one line for
    each of up to sixty dates on a page, so drawn here rather than by the template."""
    when = written(timezone.localtime(session["starts_at"]), "l j F Y")
    where = session["venue_name"] if session["venue_id"] is not None else "online"
    places = session["places_left"]
    left = f"{places} place{pluralize(places)} left" if places else "full, waiting list open"
    return format_html('<li><a class="govuk-link" href="{}">{}</a>, {}: {}</li>', address, when, where, left)


@shared_page(per=PER_ROLES)
def course_page(request, slug):
    course = get_course_page(slug)
    session_address = addresses_for("courses:session")
    for session in course.upcoming:
        session.row = _session_row(session, session_address(session.pk))
    return render(request, "courses/catalogue/course.html", {"course": course, "cost": cost_in_words(course=course)})


# A course's upcoming sessions, one row each: drawn here, as a popular course has dozens.
_SESSION_ROW = (
    '<tr class="govuk-table__row">\n'
    '        <td class="govuk-table__cell" data-label="When">{}</td>\n'
    '        <td class="govuk-table__cell" data-label="Where">{}</td>\n'
    '        <td class="govuk-table__cell" data-label="Places">{}</td>\n'
    '        <td class="govuk-table__cell" data-label="Booking closes">{}</td>\n'
    '        <td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a></td>\n'
    "      </tr>"
)


def _session_row(session, address: str) -> str:
    day = written(timezone.localtime(session.starts_at), "j F Y")
    if session.places_left:
        places = format_html("{} left", session.places_left)
        action = format_html('Book<span class="govuk-visually-hidden"> {}</span>', day)
    else:
        places = mark_safe('<strong class="govuk-tag govuk-tag--grey">Full</strong> waiting list open')
        action = format_html('Join waiting list<span class="govuk-visually-hidden"> for {}</span>', day)
    return format_html(
        _SESSION_ROW,
        _session_days(session),
        session.venue.name if session.venue else "Online",
        places,
        written(timezone.localtime(session.bookings_close_at), "j M Y"),
        address,
        action,
    )


def _session_days(session) -> str:
    """When a session on a course page meets: each of its days on a line."""
    return format_html_join(
        mark_safe("<br>"),
        '<span class="app-nowrap">{},</span> <span class="app-nowrap">{} to {}</span>',
        (
            (written(starts, "D j M Y"), written(starts, "H:i"), written(ends, "H:i"))
            for starts, ends in (
                (timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)) for day in session.days
            )
        ),
    )


def training_record_context(person: User) -> dict:
    """Everything the "My training" page shows about one person: a fixed number of queries."""
    # Their training done elsewhere is listed, and the confirmed part of it meets requirements: read once.
    elsewhere = list(ExternalTraining.objects.filter(person=person).select_related("level"))
    requirements = requirements_for([person], elsewhere=elsewhere)[person.pk]
    courses_meeting(requirements)
    # A booking is listed by its course, its first day and its outcome.
    bookings = list(
        Booking.objects.filter(person=person)
        .select_related("session__course", "attendance")
        .order_by("-session__starts_at")
    )
    now = timezone.now()
    # Upcoming soonest first; past and cancelled most recent first.
    upcoming = [b for b in reversed(bookings) if b.status in ACTIVE and b.session.starts_at > now]
    past = [b for b in bookings if b not in upcoming]
    certificates = list(
        Certificate.objects.filter(attendance__person=person, withdrawn_at__isnull=True)
        .select_related("attendance__session__course")
        .order_by("-attendance__session__starts_at")
    )
    held = held_certificates([c.attendance for c in certificates]) if certificates else {}
    for certificate in certificates:
        certificate.held = held.get(certificate.attendance_id)
    return {
        "person": person,
        "requirements": requirements,
        "overall": overall_status(requirements) if requirements else None,
        "upcoming": upcoming,
        "past": past,
        "certificates": certificates,
        "elsewhere": elsewhere,
    }


@login_required
@shared_page(per=PER_PERSON)
def my_training(request):
    context = training_record_context(request.user)
    if request.user.is_trainer:
        context["delivering"] = sessions_a_trainer_delivers(request.user)
    return render(request, "courses/training/my_training.html", context)


def _agency_for(request) -> Agency:
    user = request.user
    if user.is_training_manager and request.GET.get("agency"):
        agency = Agency.objects.filter(pk=request.GET["agency"]).first() if request.GET["agency"].isdigit() else None
        if agency is None:
            raise Http404("No such agency")
        return agency
    if user.is_agency_lead:
        return user.agency
    if user.is_training_manager:
        return None
    raise PermissionDenied


@permission_required("courses.view_agency_training")
@shared_page(per=PER_PERSON)  # the records to confirm it counts leave out the viewer's own
def agency_training(request):
    agency = _agency_for(request)
    agencies = Agency.objects.filter(active=True).order_by("name") if request.user.is_training_manager else []
    if agency is None:
        return render(
            request,
            "courses/training/choose_agency.html",
            {"agencies": agencies, "to_confirm": how_many_wait_for(request.user)},
        )
    summary = agency_training_summary(agency)
    filterset = AgencyTrainingFilter(request.GET or None)
    shown = filterset.apply(summary.people)
    counts = summary.counts
    return table_page(
        request,
        table=AgencyTrainingTable(shown),
        filterset=filterset,
        template="courses/training/agency_training.html",
        csv_filename=f"training-{agency.pk}.csv",
        context={
            "agency": agency,
            "counts": counts,
            "agencies": agencies,
            "to_confirm": how_many_wait_for(request.user),
        },
    )


@permission_required("courses.view_agency_training")
def person_training(request, pk):
    person = get_person_for_user(request.user, pk)  # the same scope as the people pages
    return render(request, "courses/training/person_training.html", training_record_context(person))
