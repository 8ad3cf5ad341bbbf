"""Two-step sign-in: after the password, a code from an authenticator app, offered to those who see
the most (the training manager, Board members, admin users) and compulsory for them when the site
says so (TWO_STEP_REQUIRED)."""

from crispy_forms_gds.layout import Field, Fixed
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from common.access import permission_required
from common.views import form_error, post_data

from . import services, totp
from .errors import AccountError
from .forms import gds_helper
from .models import User
from .selectors import get_person_for_user

PENDING = "two_step_pending"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=10,
        help_text="The 6 digits the app shows now, for example 123456.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args, submit="Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("code", field_width=Fixed.FIVE), submit=submit)


def _safe_next(request, next_url: str, fallback: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return fallback


class RequireTwoStepMiddleware:
    """Where two-step sign-in is compulsory, someone who must use it and has not set it up yet is
    sent to set it up before any other page (signing out and static files excepted)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.uses_two_step and user.must_use_two_step:
            setup_url = reverse("accounts:two-step")
            if request.path not in self._open_paths():
                return redirect(f"{setup_url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open_paths() -> set[str]:
        return {
            reverse("accounts:two-step"),
            reverse("accounts:sign-out"),
            reverse("accounts:signed-out"),
            reverse("healthz"),
        }


def start(request, user, next_url: str):
    """Called by the sign-in page once the password is right: hold the sign-in until the code."""
    request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": next_url}
    return redirect("accounts:sign-in-code")


def sign_in_code(request):
    pending = request.session.get(PENDING)
    person = User.objects.filter(pk=(pending or {}).get("user"), is_active=True).first()
    if person is None or not person.uses_two_step:
        return redirect("accounts:sign-in")
    form = CodeForm(post_data(request), submit="Sign in")
    if request.method == "POST" and form.is_valid():
        try:
            services.check_sign_in_code(person=person, code=form.cleaned_data["code"])
        except AccountError as error:
            form_error(form, error)
        else:
            del request.session[PENDING]
            login(request, person, backend=pending["backend"])
            return redirect(_safe_next(request, pending.get("next") or "", settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/sign_in_code.html", {"form": form})


@login_required
def setup(request):
    """Turn two-step sign-in on (scan or type the key, then prove it with a code) or off."""
    person = request.user
    if not person.may_use_two_step and not person.uses_two_step:
        raise PermissionDenied
    if person.uses_two_step:
        form = CodeForm(post_data(request), submit="Turn off two-step sign-in")
        if request.method == "POST" and form.is_valid():
            try:
                services.turn_off_two_step(person=person, code=form.cleaned_data["code"])
            except AccountError as error:
                form_error(form, error)
            else:
                messages.success(request, "Two-step sign-in is off. You sign in with your password only.")
                return redirect("accounts:profile")
        return render(
            request,
            "accounts/two_step.html",
            {"form": form, "enabled": True, "required": person.must_use_two_step},
        )
    secret = request.session.get("two_step_secret") or totp.new_secret()
    request.session["two_step_secret"] = secret
    form = CodeForm(post_data(request), submit="Turn on two-step sign-in")
    if request.method == "POST" and form.is_valid():
        try:
            services.turn_on_two_step(person=person, secret=secret, code=form.cleaned_data["code"])
        except AccountError as error:
            form_error(form, error)
        else:
            del request.session["two_step_secret"]
            messages.success(
                request, "Two-step sign-in is on. Next time you sign in, we will ask for a code from your app."
            )
            # Sent here before the page they asked for (TWO_STEP_REQUIRED): on to it now.
            return redirect(_safe_next(request, request.GET.get("next", ""), reverse("accounts:profile")))
    return render(
        request,
        "accounts/two_step.html",
        {
            "form": form,
            "enabled": False,
            "required": person.must_use_two_step,
            "key": totp.grouped(secret),
            "uri": totp.provisioning_uri(secret, account=person.email, issuer=settings.SERVICE_NAME),
        },
    )


@require_POST
@permission_required("accounts.manage_person")
def turn_off_for(request, pk):
    """The training manager turns two-step sign-in off for someone who lost their phone."""
    person = get_person_for_user(request.user, pk, write=True)
    try:
        was_on = services.reset_two_step(actor=request.user, person=person)
    except AccountError as error:
        messages.error(request, error.message)
    else:
        if was_on:
            messages.success(
                request,
                f"Two-step sign-in is off for {person.full_name}. They can turn it on again from their details.",
            )
    return redirect("manage:person", pk=person.pk)
