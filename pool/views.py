"""Trainer pool pages: applying and answering assignments (staff and trainers), endorsing
(agency leads), and running the pool (the training manager)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Agency, User
from common.access import permission_required
from common.errors import LinkExpired
from common.listing import rows_csv_response, table_page
from common.pagecache import PER_ROLES, shared_page
from common.views import form_error, link_expired_page, post_data
from courses.durations import days_figure
from courses.models import Session, SessionTrainer
from courses.selectors.booking import sessions_a_trainer_delivers
from tna.models import TrainingYear
from tna.selectors import current_training_year

from . import selectors, services
from .filters import PoolFilter
from .forms import (
    ApplicationForm,
    AssignForm,
    CommitmentsForm,
    CriterionForm,
    EndorseForm,
    LeaveForm,
    PeriodForm,
    PolicyForm,
    RespondForm,
    ReviewForm,
    StatusForm,
)
from .models import CLOSED, Assignment, Membership, MembershipCriterion, MembershipStatus, PoolPolicy, TrainerCommitment
from .services import NeedsConfirmation, PoolError
from .tables import PoolTable


@login_required
def index(request):
    if request.user.is_training_manager:
        return redirect("pool:members")
    return redirect("pool:mine")


# --- Staff and trainers ------------------------------------------------------------------------


@login_required
def mine(request):
    """My place in the pool: my application or membership, my assignments, my registers, my delivery."""
    person = request.user
    membership = Membership.objects.filter(person=person).prefetch_related("courses").first()
    context = {"membership": membership}
    if membership is not None:
        context["history"] = membership.history.select_related("changed_by")
    context["open_assignments"] = selectors.open_assignments_for(person)
    context["delivering"] = sessions_a_trainer_delivers(person)
    context["record"] = selectors.delivery_record(person)
    return render(request, "pool/mine.html", context)


@login_required
def apply(request):
    membership = Membership.objects.filter(person=request.user).first()
    if membership is not None and not membership.can_reapply:
        messages.info(request, "You have already applied to the trainer pool.")
        return redirect("pool:mine")
    initial = None
    if membership is not None:
        initial = {
            "experience": membership.experience,
            "specialisms": membership.specialisms,
            "facilitation_experience": membership.facilitation_experience,
            "courses": list(membership.courses.all()),
        }
    form = ApplicationForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.apply(person=request.user, **form.cleaned_data)
        except PoolError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                "Application sent. "
                + (
                    "Your agency lead has been asked to endorse it."
                    if selectors.awaits_endorsement(membership)
                    else "The training manager will review it."
                ),
            )
            return redirect("pool:mine")
    return render(request, "pool/apply.html", {"form": form, "title": "Apply to join the trainer pool"})


@login_required
def leave(request):
    membership = Membership.objects.filter(person=request.user).first()
    if membership is None or membership.status in CLOSED:  # as `leave_pool` refuses
        return redirect("pool:mine")
    form = LeaveForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_pool(person=request.user, reason=form.cleaned_data["reason"])
        except PoolError as error:
            form_error(form, error)
        else:
            messages.success(request, "You have left the trainer pool. Thank you for the training you gave.")
            return redirect("pool:mine")
    return render(request, "includes/form_page.html", {"form": form, "title": "Leave the trainer pool"})


def _respond_page(request, assignment, *, via_link: bool, token: str = ""):
    form = RespondForm(post_data(request))
    if request.method == "POST" and assignment.is_open and form.is_valid():
        try:
            services.respond(
                trainer=assignment.trainer,
                assignment=assignment,
                accepted=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except PoolError as error:
            form_error(form, error)
        else:
            if form.cleaned_data["decision"]:
                messages.success(request, f"Thank you. You are down to deliver {assignment.session}.")
            else:
                messages.success(
                    request, "Thank you. The training manager has been told you cannot deliver this session."
                )
            if via_link and not (request.user.is_authenticated and request.user.pk == assignment.trainer_id):
                return redirect("pool:respond-link", token=token)
            return redirect("pool:mine")
    assignment.refresh_from_db()
    co_trainers = assignment.session.trainers.exclude(pk=assignment.trainer_id).select_related("agency")
    return render(
        request,
        "pool/respond.html",
        {
            "assignment": assignment,
            "session": assignment.session,
            "form": form,
            "co_trainers": co_trainers,
            "via_link": via_link,
        },
    )


@login_required
def respond(request, pk):
    assignment = selectors.get_assignment_for_trainer(request.user, pk)
    return _respond_page(request, assignment, via_link=False)


def respond_link(request, token):
    """The emailed link: answers without signing in, for this assignment only."""
    try:
        assignment = services.assignment_from_token(token)
    except LinkExpired as error:
        return link_expired_page(request, error)
    except PoolError as error:
        return render(request, "pool/link_problem.html", {"message": error.message}, status=400)
    return _respond_page(request, assignment, via_link=True, token=token)


# --- Agency leads -------------------------------------------------------------------------------


@login_required
def applications(request):
    """Applications waiting for the person looking: endorsement (lead) or review (training manager)."""
    user = request.user
    if not (user.is_training_manager or user.is_agency_lead):
        raise PermissionDenied
    waiting = selectors.applications_waiting_for(user)
    return render(
        request,
        "pool/applications.html",
        {"to_endorse": waiting.to_endorse, "to_review": waiting.to_review, "awaiting_lead": waiting.awaiting_lead},
    )


@login_required
def endorse(request, pk):
    membership = selectors.get_membership_for_user(request.user, pk)
    if not selectors.is_endorser(request.user, membership):
        raise PermissionDenied
    if not selectors.may_endorse(request.user, membership):
        messages.info(
            request,
            f"This application is no longer waiting for endorsement ({membership.get_status_display().lower()}).",
        )
        return redirect("pool:member", pk=membership.pk)
    form = EndorseForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.endorse(
                actor=request.user,
                membership=membership,
                endorsed=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except PoolError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Decision saved for {membership.person}.")
            return redirect("pool:applications")
    return render(
        request,
        "pool/decide.html",
        {"form": form, "membership": membership, "title": f"Endorse {membership.person.full_name}'s application"},
    )


# --- The training manager -----------------------------------------------------------------------


@permission_required("pool.manage")
@shared_page(per=PER_ROLES)  # the whole pool, for the training manager alone
def members(request):
    filterset = PoolFilter(request.GET or None, queryset=selectors.directory())
    queryset = (
        filterset.qs
        if request.GET.get("status")
        else filterset.qs.filter(
            status__in=[
                MembershipStatus.ACTIVE,
                MembershipStatus.ACCEPTED,
                MembershipStatus.LAPSED,
                MembershipStatus.APPLIED,
                MembershipStatus.ENDORSED,
            ]
        )
    )
    counts = dict(Membership.objects.values_list("status").annotate(n=Count("pk")))
    return table_page(
        request,
        table=PoolTable(queryset),
        filterset=filterset,
        template="pool/members.html",
        csv_filename="trainer-pool.csv",
        context={
            "counts": [
                (MembershipStatus(s).label, counts.get(s, 0))
                for s in (MembershipStatus.ACTIVE, MembershipStatus.ACCEPTED, MembershipStatus.LAPSED)
            ],
            "waiting": counts.get(MembershipStatus.ENDORSED, 0),
        },
    )


@login_required
def member(request, pk):
    membership = selectors.get_membership_for_user(request.user, pk)
    policy = PoolPolicy.current()
    last = services.last_delivery_dates([membership.person_id]).get(membership.person_id)
    assignments = membership.person.assignments.select_related("session__course").order_by("-session__starts_at")[:20]
    return render(
        request,
        "pool/member.html",
        {
            "membership": membership,
            "history": membership.history.select_related("changed_by"),
            "courses": membership.courses.all(),
            "criteria": membership.criteria_met.all(),
            "last_delivered": last,
            "training_current": services.training_is_current(membership, policy, timezone.localdate()),
            "policy": policy,
            "assignments": assignments,
            "record": selectors.delivery_record(membership.person),
            "can_review": request.user.is_training_manager and selectors.awaits_review(membership),
            "can_endorse": selectors.may_endorse(request.user, membership),
            "can_change_status": request.user.is_training_manager
            and bool(selectors.status_changes_open_to(membership)),
        },
    )


@permission_required("pool.manage")
def review(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("person__agency", "endorsed_by"), pk=pk)
    if not selectors.awaits_review(membership):
        messages.info(
            request, f"This application is not waiting for a decision ({membership.get_status_display().lower()})."
        )
        return redirect("pool:member", pk=membership.pk)
    form = ReviewForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review(
                actor=request.user,
                membership=membership,
                accepted=form.cleaned_data["decision"],
                criteria=form.cleaned_data["criteria"],
                reason=form.cleaned_data["reason"],
            )
        except PoolError as error:
            form_error(form, error)
        else:
            membership.refresh_from_db()
            messages.success(request, f"{membership.person}: {membership.get_status_display().lower()}.")
            return redirect("pool:member", pk=membership.pk)
    return render(
        request,
        "pool/decide.html",
        {
            "form": form,
            "membership": membership,
            "title": f"Review {membership.person.full_name}'s application",
            "courses": membership.courses.all(),
        },
    )


@permission_required("pool.manage")
def change_status(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("person"), pk=pk)
    form = StatusForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(
                actor=request.user,
                membership=membership,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except PoolError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Status changed for {membership.person}.")
            return redirect("pool:member", pk=membership.pk)
    return render(
        request,
        "pool/decide.html",
        {"form": form, "membership": membership, "title": f"Change {membership.person.full_name}'s status"},
    )


@permission_required("pool.manage")
def criteria(request):
    return render(request, "pool/criteria.html", {"criteria": MembershipCriterion.objects.all()})


@permission_required("pool.manage")
def criterion_edit(request, pk=None):
    criterion = get_object_or_404(MembershipCriterion, pk=pk) if pk else None
    form = CriterionForm(post_data(request), instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(actor=request.user, criterion=criterion, **form.cleaned_data)
        except PoolError as error:
            form_error(form, error)
        else:
            messages.success(request, "Criterion saved.")
            return redirect("pool:criteria")
    return render(
        request,
        "includes/form_page.html",
        {"form": form, "title": "Edit criterion" if criterion else "Add a criterion"},
    )


@permission_required("pool.manage")
def policy(request):
    current = PoolPolicy.current()
    form = PolicyForm(post_data(request), instance=current)
    if request.method == "POST" and form.is_valid():
        services.save_policy(actor=request.user, **form.cleaned_data)
        messages.success(request, "Pool rules saved. Members are checked against them every night.")
        return redirect("pool:policy")
    if current.pk:  # the saved rules, not what a refused form put in them (unsaved defaults have none)
        current.refresh_from_db()
    due = services.lapse_members(dry_run=True)
    return render(request, "pool/policy.html", {"form": form, "title": "Trainer pool rules", "due": due})


def _year(request) -> TrainingYear | None:
    pk = request.GET.get("year")
    if pk and pk.isdigit():
        year = TrainingYear.objects.filter(pk=int(pk)).first()
        if year:
            return year
    return current_training_year()


@permission_required("pool.manage")
def commitments(request):
    year = _year(request)
    if year is None:
        return render(request, "pool/no_year.html")
    rows = selectors.agency_contributions(year.starts_on, year.ends_on)
    if request.GET.get("export") == "csv":
        return _contributions_csv(rows, f"trainer-contributions-{year}.csv")
    return render(
        request,
        "pool/commitments.html",
        {
            "year": year,
            "years": TrainingYear.objects.all(),
            "totals": selectors.totals(rows),
            "policy": PoolPolicy.current(),
        },
    )


def _contributions_csv(rows, filename):
    header = [
        "Agency",
        "Agreed trainer days",
        "Days delivered",
        "Sessions",
        "Delivered (% of agreed)",
        "Free places earned",
        "Places used",
        "Balance of places",
    ]
    return rows_csv_response(
        [header]
        + [
            [
                r.agency.name,
                days_figure(r.committed_days),
                days_figure(r.delivered_days),
                r.sessions,
                r.percent_delivered if r.percent_delivered is not None else "not applicable",
                r.places_earned,
                r.places_used,
                r.places_balance,
            ]
            for r in rows
        ],
        filename,
    )


@permission_required("pool.manage")
def commitments_edit(request, year_pk):
    year = get_object_or_404(TrainingYear, pk=year_pk)
    agencies = list(Agency.objects.filter(active=True).order_by("name"))
    initial = dict(TrainerCommitment.objects.filter(year=year).values_list("agency_id", "agreed_days"))
    form = CommitmentsForm(post_data(request), agencies=agencies, initial_days=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.save_commitments(actor=request.user, year=year, days_by_agency=form.days_by_agency())
        except PoolError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Commitments saved ({changed} changed).")
            return redirect(f"{reverse('pool:commitments')}?year={year.pk}")
    return render(request, "pool/commitments_edit.html", {"form": form, "year": year})


@login_required
def agency(request, pk):
    """An agency's trainers and its contribution against its commitment: its lead or the training manager."""
    agency = selectors.get_agency_for_user(request.user, pk)
    year = _year(request)
    contribution = (
        selectors.agency_contributions(year.starts_on, year.ends_on, agency_id=agency.pk)[0] if year else None
    )
    members_ = selectors.pool_members_of(agency.pk)
    delivered = selectors.delivery_by_trainer(year.starts_on, year.ends_on, agency_id=agency.pk) if year else []
    return render(
        request,
        "pool/agency.html",
        {
            "agency": agency,
            "year": year,
            "years": TrainingYear.objects.all(),
            "contribution": contribution,
            "members": members_,
            "delivered": delivered,
            "policy": PoolPolicy.current(),
        },
    )


@login_required
def my_agency(request):
    if not request.user.is_agency_lead or not request.user.agency_id:
        raise PermissionDenied
    return redirect("pool:agency", pk=request.user.agency_id)


@permission_required("pool.manage")
def delivery(request):
    """The delivery log for any period: per trainer and per agency, against the commitment."""
    year = current_training_year()
    default = (
        {"date_from": year.starts_on.strftime("%d/%m/%Y"), "date_to": year.ends_on.strftime("%d/%m/%Y")} if year else {}
    )
    form = PeriodForm(request.GET if "date_from" in request.GET else default)
    # The contributions table explains free places with the policy's rate.
    context = {"form": form, "policy": PoolPolicy.current()}
    if form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        trainers = selectors.delivery_by_trainer(start, end)
        agencies = selectors.agency_contributions(start, end)
        export = request.GET.get("export")
        if export == "trainers":
            return _trainers_csv(trainers, f"delivery-by-trainer-{start:%Y%m%d}-{end:%Y%m%d}.csv")
        if export == "agencies":
            return _contributions_csv(agencies, f"delivery-by-agency-{start:%Y%m%d}-{end:%Y%m%d}.csv")
        context.update(
            {
                "start": start,
                "end": end,
                "trainers": trainers,
                "totals": selectors.totals(agencies),
                "query": request.GET.urlencode()
                if "date_from" in request.GET
                else f"date_from={default['date_from']}&date_to={default['date_to']}",
            }
        )
    return render(request, "pool/delivery.html", context)


def _trainers_csv(rows, filename):
    return rows_csv_response(
        [["Trainer", "Agency", "Sessions", "Days"]]
        + [[r.name, r.agency, r.sessions, days_figure(r.days)] for r in rows],
        filename,
    )


@permission_required("pool.manage")
def session_trainers(request, pk):
    """Assign trainers to a session: warnings first, then the trainer is asked."""
    session = get_object_or_404(Session.objects.select_related("course", "venue"), pk=pk)
    assignments = session.assignments.select_related("trainer__agency").order_by("assigned_at")
    candidates = selectors.assignment_candidates()
    allowed = User.objects.filter(pk__in=[p.pk for p in candidates])
    form = AssignForm(post_data(request), trainers=allowed, candidates=candidates)
    warnings = []
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_trainer(
                actor=request.user,
                session=session,
                trainer=form.cleaned_data["trainer"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except NeedsConfirmation as needs:
            warnings = needs.warnings
            data = request.POST.copy()
            data["confirmed"] = "True"
            form = AssignForm(data, trainers=allowed, candidates=candidates, confirming=True)
            form.is_valid()
        except PoolError as error:
            form_error(form, error)
        else:
            messages.success(
                request, f"{form.cleaned_data['trainer'].full_name} has been emailed and asked to deliver this session."
            )
            return redirect("pool:session-trainers", pk=session.pk)
    return render(
        request,
        "pool/session_trainers.html",
        {
            "session": session,
            "assignments": assignments,
            "form": form,
            "warnings": warnings,
            "trainers": SessionTrainer.objects.filter(session=session)
            .select_related("user__agency")
            .order_by("user__full_name"),
        },
    )


@require_POST
@permission_required("pool.manage")
def withdraw(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("session", "trainer"), pk=pk)
    try:
        services.withdraw(actor=request.user, assignment=assignment)
    except PoolError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Assignment withdrawn: {assignment.trainer.full_name} is no longer down for this session."
        )
    return redirect("pool:session-trainers", pk=assignment.session_id)
