from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from common.access import permission_required
from common.listing import table_page
from common.pagecache import PER_ROLES, shared_page
from common.views import form_error, post_data, site_url

from . import services
from .errors import AccountError
from .filters import AgencyFilter, AuditFilter, PeopleFilter
from .forms import (
    AgencyForm,
    ClaimDecisionForm,
    DeactivateForm,
    GdsPasswordChangeForm,
    GdsPasswordResetForm,
    GdsSetPasswordForm,
    MoveAgencyForm,
    PartnershipForm,
    ProfileForm,
    ResendVerificationForm,
    RolesForm,
    SignInForm,
    SignUpForm,
)
from .models import AuditEntry
from .roles import Role
from .selectors import (
    agencies_visible_to,
    audit_trail_ends,
    claims_visible_to,
    get_agency_for_user,
    get_claim_for_user,
    get_person_for_user,
    history_of,
    people_visible_to,
)
from .tables import AgencyTable, AuditTable, PeopleTable, person_status


class StaticPage(TemplateView):
    pass


# --- Sign-up, verification, sign-in ------------------------------------------------------


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.register_person(registration=form.registration(), site_url=site_url(request))
        except AccountError as error:
            form_error(form, error)
        else:
            # The same page whether or not the address already had an account (its owner is emailed).
            request.session["signed_up_email"] = form.cleaned_data["email"]
            return redirect("accounts:check-email")
    return render(request, "accounts/sign_up.html", {"form": form})


def check_email(request):
    return render(
        request,
        "accounts/check_email.html",
        {"email": request.session.get("signed_up_email"), "days": settings.ACCOUNT_VERIFICATION_DAYS},
    )


def verify_email(request, token):
    try:
        person = services.verify_email(token=token)
    except AccountError as error:
        form = ResendVerificationForm()
        form.helper.form_action = reverse("accounts:resend-verification")
        return render(
            request,
            "accounts/verify_failed.html",
            {"message": error.message, "expired": error.field == "expired", "form": form},
            status=400,
        )
    messages.success(request, f"Your email address is confirmed. Sign in with {person.email}.")
    return redirect("accounts:sign-in")


def resend_verification(request):
    form = ResendVerificationForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        services.resend_verification(email=form.cleaned_data["email"], site_url=site_url(request))
        request.session["signed_up_email"] = form.cleaned_data["email"]
        return redirect("accounts:check-email")
    return render(request, "accounts/resend_verification.html", {"form": form})


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user.uses_two_step:
            from .two_step import start

            return start(self.request, user, self.get_success_url())
        return super().form_valid(form)


def admin_sign_in(request):
    """/admin/login/: the service's sign-in (with two-step) instead of the admin's password-only page.
    Someone signed in without admin access is refused here rather than sent round to sign in again."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied
    return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': next_url})}")


class SignOutView(auth_views.LogoutView):
    """Signing out is a POST (with its CSRF token), so a link or an image on another site cannot
    sign anyone out. A GET (a bookmarked or typed address) shows a page with the sign-out button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:signed-out")
        return render(request, "accounts/sign_out.html")


def signed_out(request):
    return render(request, "accounts/signed_out.html")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = GdsPasswordResetForm
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form):
        form.save(request=self.request, domain_override=None, use_https=self.request.is_secure())
        return redirect(self.get_success_url())


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = GdsSetPasswordForm
    success_url = reverse_lazy("accounts:sign-in")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed. Sign in with your new password.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = GdsPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


# --- Profile ------------------------------------------------------------------------------


@login_required
def profile(request):
    return render(request, "accounts/profile.html", {"person": request.user})


@login_required
def my_data(request):
    """Everything the service holds about the signed-in person, as a JSON file."""
    import json

    from .privacy import everything_about

    response = HttpResponse(
        json.dumps(everything_about(request.user), indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def edit_profile(request):
    form = ProfileForm(post_data(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                person=request.user,
                site_url=site_url(request),
                **{f: form.cleaned_data[f] for f in services.PROFILE_FIELDS},
            )
        except AccountError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your details have been saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/edit_profile.html", {"form": form})


# --- People and roles (training manager; agency leads see their own agency) ---------------


@permission_required("accounts.list_people")
@shared_page  # everyone for the training manager, their own agency's staff for a lead
def people(request):
    filterset = PeopleFilter(request.GET or None, queryset=people_visible_to(request.user), user=request.user)
    return table_page(
        request,
        table=PeopleTable(filterset.qs),
        filterset=filterset,
        template="manage/people.html",
        csv_filename="people.csv",
        context={"claims_count": claims_visible_to(request.user).count()},
    )


# --- Agency claims (the agency lead; the training manager for every agency) ----------------------


@permission_required("accounts.decide_claims")
def agency_claims(request):
    """People who say they work for the agency, with an address not on its domains, waiting for a decision."""
    claims = claims_visible_to(request.user).order_by("date_joined", "pk")
    return render(request, "manage/agency_claims.html", {"claims": claims})


@permission_required("accounts.decide_claims")
def agency_claim(request, pk):
    person = get_claim_for_user(request.user, pk)
    agency = person.claimed_agency
    form = ClaimDecisionForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            if confirm:
                services.confirm_agency_claim(actor=request.user, person=person, site_url=site_url(request))
            else:
                services.refuse_agency_claim(
                    actor=request.user, person=person, reason=form.cleaned_data["reason"], site_url=site_url(request)
                )
        except AccountError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                f"{person} is now on {agency}'s staff."
                if confirm
                else f"You have refused {person}'s claim to work for {agency}. We have emailed them your reason.",
            )
            return redirect("manage:agency-claims")
    return render(request, "manage/agency_claim.html", {"person": person, "agency": agency, "form": form})


@login_required
def person(request, pk):
    person = get_person_for_user(request.user, pk)
    if person.pk == request.user.pk and not request.user.is_training_manager:
        return redirect("accounts:profile")
    can_manage = request.user.has_perm("accounts.manage_person", person)
    # The lead sees who their staff name as line manager, and when it changed: that person approves places.
    line_manager_changes = (
        []
        if can_manage
        else [e for e in history_of(person) if {"line_manager_name", "line_manager_email"} & set(e.changes)]
    )
    return render(
        request,
        "manage/person.html",
        {
            "person": person,
            "status": person_status(person),
            "roles": [Role(g.name).label for g in person.groups.all() if g.name in Role.values],
            "can_manage": can_manage,
            "history": history_of(person) if can_manage else [],
            "line_manager_changes": line_manager_changes,
        },
    )


@login_required
def person_roles(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    initial = {"roles": [g.name for g in person.groups.all()]}
    form = RolesForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_roles(actor=request.user, person=person, roles=form.chosen_roles())
        except AccountError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Roles saved for {person}.")
            return redirect("manage:person", pk=person.pk)
    return render(request, "manage/person_form.html", {"person": person, "form": form, "title": "Change roles"})


@login_required
def person_agency(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    form = MoveAgencyForm(post_data(request), initial={"agency": person.agency_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_person_to_agency(actor=request.user, person=person, agency=form.cleaned_data["agency"])
        except AccountError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{person} is now in {person.agency}.")
            return redirect("manage:person", pk=person.pk)
    title = "Link to an agency" if person.unlisted_organisation else "Move to another agency"
    return render(request, "manage/person_form.html", {"person": person, "form": form, "title": title})


@login_required
def person_deactivate(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    form = DeactivateForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.deactivate_person(actor=request.user, person=person, reason=form.cleaned_data["reason"])
        except AccountError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{person}'s account is deactivated. Their training record is kept.")
            return redirect("manage:person", pk=person.pk)
    return render(request, "manage/person_form.html", {"person": person, "form": form, "title": "Deactivate account"})


@require_POST
@login_required
def person_reactivate(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    try:
        services.reactivate_person(actor=request.user, person=person)
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{person}'s account is active again.")
    return redirect("manage:person", pk=person.pk)


# --- Agencies (training manager) -------------------------------------------------------------


@permission_required("accounts.manage_agencies")
def agencies(request):
    filterset = AgencyFilter(request.GET or None, queryset=agencies_visible_to(request.user))
    return table_page(
        request,
        table=AgencyTable(filterset.qs),
        filterset=filterset,
        template="manage/agencies.html",
        csv_filename="agencies.csv",
    )


@login_required
def agency(request, pk):
    agency = get_agency_for_user(request.user, pk)
    return render(
        request,
        "manage/agency.html",
        {
            "agency": agency,
            "leads": people_visible_to(request.user).filter(agency=agency, groups__name=str(Role.AGENCY_LEAD)),
            "history": history_of(agency) if request.user.is_training_manager else [],
        },
    )


@permission_required("accounts.manage_agencies")
def agency_edit(request, pk=None):
    agency = get_agency_for_user(request.user, pk, write=True) if pk else None
    form = AgencyForm(post_data(request), instance=agency)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.save_agency(actor=request.user, agency=agency, **form.cleaned_data)
        except AccountError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{agency} has been saved.")
            return redirect("manage:agency", pk=agency.pk)
    return render(request, "manage/agency_form.html", {"agency": agency, "form": form})


@permission_required("accounts.view_audit")
# The same for everyone who may see it. The generation ignores the audit trail's own writes, so its two
# ends are asked on each request.
@shared_page(per=PER_ROLES, version=audit_trail_ends)
def audit(request):
    """Who changed what: bookings, attendance, charges, returns, roles and more."""
    filterset = AuditFilter(request.GET or None, queryset=AuditEntry.objects.select_related("actor"))
    return table_page(
        request,
        table=AuditTable(filterset.qs),
        filterset=filterset,
        template="manage/audit.html",
        csv_filename="audit.csv",
    )


@permission_required("accounts.manage_partnership")
def partnership_edit(request):
    """The partnership's name, the name in the footer and emails, and its logo."""
    from .selectors import partnership

    current = partnership()
    form = PartnershipForm(post_data(request), files=request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_partnership(
                actor=request.user,
                name=form.cleaned_data["name"],
                short_name=form.cleaned_data["short_name"],
                logo=form.cleaned_data.get("logo"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except AccountError as error:
            form_error(form, error)
        else:
            messages.success(request, "The partnership's details have been saved.")
            return redirect("manage:partnership")
    return render(request, "manage/partnership_form.html", {"form": form, "partnership": current})
