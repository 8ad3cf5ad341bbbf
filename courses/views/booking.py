"""Booking pages: the session page, booking, managing a booking, line manager
approval and the register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import normalise_email
from common.errors import LinkExpired
from common.money import format_money
from common.pagecache import PER_PERSON, shared_page
from common.views import form_error, link_expired_page, post_data, site_url

from ..forms.booking import (
    SUBSTITUTE,
    ApprovalForm,
    BookForColleagueForm,
    CancelBookingForm,
    ConfirmBookingForm,
    RegisterForm,
    ReopenRegisterForm,
    WalkInForm,
)
from ..models import Booking, BookingPolicy, BookingStatus, SessionStatus
from ..selectors.booking import (
    active_booking_of,
    get_booking_for_user,
    get_public_session,
    get_session_for_register,
    register_lines,
)
from ..selectors.todo import places_waiting_for_approval_by
from ..services import booking as booking_services
from ..services import charges as charge_services
from ..services import register as register_services
from ..services.booking import BookingError
from ..services.register import RegisterError


def _session_page(request, session, colleague_form=None):
    user = request.user
    if colleague_form is None and user.is_authenticated and (user.is_training_manager or user.is_agency_lead):
        colleague_form = BookForColleagueForm()
    return render(
        request,
        "courses/booking/session.html",
        {
            **(_price(user, session) if user.is_authenticated else {}),
            "session": session,
            "booking": active_booking_of(user, session),
            # The same terms `book_place` applies: the page offers "Book" exactly when it would accept.
            "terms": booking_services.booking_terms_for(user, session),
            "open_for_booking": not booking_services.session_refusal(session),
            "colleague_form": colleague_form,
            "can_take_register": user.has_perm("courses.take_register", session),
        },
    )


def session_page(request, pk):
    return _session_page(request, get_public_session(pk))


def _price(person, session) -> dict:
    """What the booking would cost and the cancellation terms, as the charging service works them out."""
    policy = BookingPolicy.current()
    course = session.course
    fee = charge_services.fee_terms(agency=person.agency, course=course, policy=policy)
    late_charge = charge_services.late_cancellation_charge(
        booking=Booking(session=session, person=person, agency=person.agency), policy=policy
    )
    return {
        "fee": fee,
        "late_charge": late_charge,
        "free_until": charge_services.free_cancellation_until(session=session, policy=policy),
        "late_now": charge_services.is_late_cancellation(session=session, policy=policy),
        "no_show_charge": charge_services.no_show_charge(agency=person.agency, course=course, policy=policy),
        "policy": policy,
    }


@login_required
def book(request, pk):
    """The confirmation page: the price, the cancellation deadline and charge, access needs, and any
    warning the booking service raises; a lead's or manager's booking for a colleague posts here too."""
    session = get_public_session(pk)
    if request.method == "POST" and "person" in request.POST:
        return _book_for_colleague(request, session)
    terms = booking_services.booking_terms(person=request.user, session=session)
    if terms.refusal:
        messages.error(request, terms.refusal)
        return redirect("courses:session", pk=session.pk)
    form = ConfirmBookingForm(post_data(request), warnings=terms.warnings, waitlisted=terms.waitlisted)
    if request.method == "POST" and form.is_valid():
        try:
            booking = booking_services.book_place(
                person=request.user,
                session=session,
                accept_warnings=bool(form.cleaned_data.get("accept_warnings")),
                access_needs=form.cleaned_data["access_needs"],
                site_url=site_url(request),
            )
        except BookingError as error:
            form_error(form, error)
        else:
            return redirect("courses:booking", pk=booking.pk)
    return render(
        request,
        "courses/booking/confirm.html",
        {"session": session, "terms": terms, "form": form, **_price(request.user, session)},
    )


def _book_for_colleague(request, session):
    form = BookForColleagueForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, colleague_form=form)
    person = form.cleaned_data["person"]
    try:
        booking = booking_services.book_place(
            person=person,
            session=session,
            booked_by=request.user,
            override_prerequisites=form.cleaned_data["override_prerequisites"],
            accept_warnings=form.cleaned_data["accept_warnings"],
            site_url=site_url(request),
        )
    except BookingError as error:
        form_error(form, error)
        return _session_page(request, session, colleague_form=form)
    messages.success(
        request, f"{person} is {booking.get_status_display().lower()} on this session. They have been emailed."
    )
    return redirect("courses:session", pk=session.pk)


@login_required
def booking_page(request, pk):
    booking = get_booking_for_user(request.user, pk)
    return render(
        request,
        "courses/booking/booking.html",
        {
            "booking": booking,
            "session": booking.session,
            "terms": booking_services.cancellation_terms(booking),
            "own": booking.person_id == request.user.pk,
            # A place passed to a colleague who has not yet accepted it: nothing is settled.
            "passed_to": booking.substitutes.filter(status=BookingStatus.OFFERED).select_related("person").first(),
        },
    )


@login_required
def booking_calendar(request, pk):
    from ..ics import session_ics

    booking = get_booking_for_user(request.user, pk)
    response = HttpResponse(
        session_ics(booking.session, attendee_email=booking.person.email), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response


# What giving up the booking is called, by where it stands (the page's heading says the same).
CANCEL_LABELS = {BookingStatus.WAITLISTED: "Leave the waiting list", BookingStatus.OFFERED: "Decline the place"}


@login_required
def cancel_booking(request, pk):
    booking = get_booking_for_user(request.user, pk, write=True)
    # The same terms `cancel_booking` applies: "late" and the sum shown are what it charges.
    terms = booking_services.cancellation_terms(booking)
    if not terms.allowed:
        messages.info(request, terms.refusal)
        return redirect("courses:booking", pk=booking.pk)
    form = CancelBookingForm(
        post_data(request),
        can_substitute=terms.can_substitute,
        cancel_label=CANCEL_LABELS.get(booking.status, "Cancel the place"),
        avoids_charge=bool(terms.charge),
    )
    own = request.user.pk == booking.person_id
    if request.method == "POST" and form.is_valid():
        substitute = form.cleaned_data["substitute"] if form.cleaned_data["choice"] == SUBSTITUTE else None
        try:
            result = booking_services.cancel_booking(
                actor=request.user,
                booking=booking,
                substitute=substitute,
                site_url=site_url(request),
                reason=form.cleaned_data["reason"],
            )
        except BookingError as error:
            form_error(form, error)
        else:
            if substitute:
                messages.success(
                    request,
                    f"The place has been offered to {substitute}. They have until "
                    f"{timezone.localtime(result.offer_expires_at):%-d %B %Y at %H:%M} to accept it.",
                )
                return (
                    redirect("courses:my-training")
                    if request.user.pk == booking.person_id
                    else redirect("courses:booking", pk=result.pk)
                )
            charge = result.charges.first()
            if terms.leaving_waiting_list:
                text = "You have left the waiting list. Nothing is charged." if own else "Taken off the waiting list."
            else:
                text = "The booking is cancelled."
                if charge:
                    text += (
                        f" This was a late cancellation: {format_money(charge.amount)} has been charged to "
                        f"{charge.agency}."
                    )
                else:
                    text += " Nothing is charged."
            messages.success(request, text)
            return redirect("courses:booking", pk=result.pk)
    return render(
        request,
        "courses/booking/cancel.html",
        {"booking": booking, "session": booking.session, "form": form, "terms": terms, "own": own},
    )


@require_POST
@login_required
def accept_offer(request, pk):
    booking = get_booking_for_user(request.user, pk, write=True)
    try:
        booking = booking_services.accept_offer(actor=request.user, booking=booking, site_url=site_url(request))
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "You have accepted the place."
            if booking.status == BookingStatus.CONFIRMED
            else "You have accepted the place. Your line manager has been asked to approve it.",
        )
    return redirect("courses:booking", pk=booking.pk)


def approval(request, token):
    """The line manager's page, reached from the emailed link without signing in."""
    try:
        booking = booking_services.booking_for_approval_token(token)
    except LinkExpired as error:
        return link_expired_page(request, error)
    except BookingError as error:
        return render(request, "courses/booking/approval_invalid.html", {"message": error.message}, status=400)
    if booking.status != BookingStatus.AWAITING_APPROVAL:
        # A used link says what was decided, and by whom, rather than offering the question again.
        return render(request, "courses/booking/approval_used.html", {"booking": booking, "session": booking.session})
    form = ApprovalForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            booking = booking_services.decide_approval(token=token, approve=approve, site_url=site_url(request))
        except LinkExpired as error:  # the hold ran out while the page was open
            return link_expired_page(request, error)
        except BookingError as error:
            form_error(form, error)
        else:
            return render(request, "courses/booking/approval_done.html", {"booking": booking, "approved": approve})
    return render(
        request, "courses/booking/approval.html", {"booking": booking, "session": booking.session, "form": form}
    )


@login_required
def approvals(request):
    """Places held for the person's approval, each with the link their email carried (the same
    approval page and rule), for someone who would rather start from the service."""
    waiting = [
        (booking, booking_services.approval_token(booking, normalise_email(request.user.email)))
        for booking in places_waiting_for_approval_by(request.user)
    ]
    return render(request, "courses/booking/approvals.html", {"waiting": waiting})


@login_required
@shared_page(per=PER_PERSON)  # the training manager's, or a trainer's whose session it is: who may see it is personal
def register(request, pk):
    session = get_session_for_register(request.user, pk)
    posted = request.method == "POST"
    cancelled = session.status == SessionStatus.CANCELLED
    # A closed register's page lists the attendance and a cancelled session's nothing: neither
    # lists the delegates booked.
    bookings, marks, walk_ins, records = register_lines(
        session, delegates=posted or not (session.register_closed_at or cancelled)
    )
    opens = register_services.register_has_opened(session)
    # The marks and the walk-in form are drawn only while the register is open for marking: a
    # cancelled session, or one whose register is closed or not yet open, has neither to draw.
    marking = opens and not session.register_closed_at and not cancelled
    form = walk_in_form = None
    if marking or posted:
        form = RegisterForm(
            post_data(request) if "save" in request.POST or "close" in request.POST else None,
            bookings=bookings,
            marks=marks,
        )
        walk_in_form = WalkInForm(post_data(request) if "add_walk_in" in request.POST else None)
    if posted:
        try:
            if "add_walk_in" in request.POST:
                if walk_in_form.is_valid():
                    data = walk_in_form.cleaned_data
                    record = register_services.add_walk_in(
                        actor=request.user,
                        session=session,
                        email=data["email"],
                        full_name=data["full_name"],
                        agency=data["agency"],
                    )
                    messages.success(request, f"{record.person} added as a walk-in.")
                    return redirect("courses:register", pk=session.pk)
            elif "remove_walk_in" in request.POST:
                record = next((r for r in walk_ins if str(r.pk) == request.POST["remove_walk_in"]), None)
                if record is None:
                    raise RegisterError("That walk-in is not on this register.")
                register_services.remove_walk_in(actor=request.user, record=record)
                messages.success(request, f"{record.person} removed from the register.")
                return redirect("courses:register", pk=session.pk)
            elif form.is_valid():
                register_services.record_attendance(actor=request.user, session=session, outcomes=form.outcomes())
                if "close" in request.POST:
                    # Closing is confirmed on its own page, which says what closing will do.
                    return redirect("courses:register-close", pk=session.pk)
                messages.success(request, "Register saved.")
                return redirect("courses:register", pk=session.pk)
        except (RegisterError, BookingError) as error:
            target = walk_in_form if "add_walk_in" in request.POST else form
            form_error(target, error)
    return render(
        request,
        "courses/booking/register.html",
        {
            "session": session,
            "form": form,
            "walk_in_form": walk_in_form,
            "walk_ins": walk_ins,
            "records": records,
            "opens": opens,
            "bookings": bookings,
        },
    )


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


@login_required
def close_register(request, pk):
    """Confirm closing: the page lists `plan_close`, the plan `close_register` carries out."""
    session = get_session_for_register(request.user, pk)
    if session.register_closed_at or not register_services.register_has_opened(session):
        return redirect("courses:register", pk=session.pk)
    if request.method == "POST":
        try:
            plan = register_services.close_register(actor=request.user, session=session)
        except RegisterError as error:
            messages.error(request, error.message)
            return redirect("courses:register", pk=session.pk)
        messages.success(
            request,
            "Register closed. "
            f"{_plural(len(plan.issue) + len(plan.reinstate), 'certificate', 'certificates')} issued, "
            f"{_plural(len(plan.withdraw), 'certificate', 'certificates')} withdrawn, "
            f"{_plural(len(plan.raise_charges), 'charge', 'charges')} raised ({format_money(plan.raise_total)}), "
            f"{_plural(len(plan.cancel_charges), 'charge', 'charges')} cancelled.",
        )
        return redirect("courses:register", pk=session.pk)
    plan = register_services.plan_close(session)
    return render(request, "courses/booking/register_close.html", {"session": session, "plan": plan})


@login_required
def reopen_register(request, pk):
    session = get_session_for_register(request.user, pk)
    if not request.user.is_training_manager:
        raise PermissionDenied
    if not session.register_closed_at:
        return redirect("courses:register", pk=session.pk)
    form = ReopenRegisterForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            register_services.reopen_register(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except RegisterError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                "Register reopened. Correct the marks, then close it again: "
                "certificates and charges are corrected when it closes.",
            )
            return redirect("courses:register", pk=session.pk)
    return render(request, "courses/booking/register_reopen.html", {"session": session, "form": form})
