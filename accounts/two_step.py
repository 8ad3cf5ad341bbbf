"""Two-step sign-in: after the password, a code from an authenticator app (optional, offered to
the training manager and Board members, who see the most)."""

from crispy_forms_gds.layout import Field, Fixed
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.access import permission_required
from common.views import post_data

from . import totp
from .audit import log_action
from .forms import gds_helper
from .models import User

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


def use_code(person: User, code: str, *, secret: str | None = None) -> bool:
    """Check a code and spend it: a code that worked once is refused after."""
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        step = totp.matching_step(secret or person.totp_secret, code, after=person.totp_last_step)
        if step is None:
            return False
        person.totp_last_step = step
        person.save(update_fields=["totp_last_step"])
        return True


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
        if use_code(person, form.cleaned_data["code"]):
            del request.session[PENDING]
            login(request, person, backend=pending["backend"])
            next_url = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = settings.LOGIN_REDIRECT_URL
            return redirect(next_url)
        form.add_error(
            "code", "That code is not right, or has been used. Wait for the app to show a new one and try again"
        )
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
            if use_code(person, form.cleaned_data["code"]):
                User.objects.filter(pk=person.pk).update(totp_secret="", totp_enabled_at=None, totp_last_step=None)
                log_action(actor=person, action="turned off two-step sign-in", obj=person)
                messages.success(request, "Two-step sign-in is off. You sign in with your password only.")
                return redirect("accounts:profile")
            form.add_error("code", "That code is not right. Enter the code your app shows now")
        return render(request, "accounts/two_step.html", {"form": form, "enabled": True})
    secret = request.session.get("two_step_secret") or totp.new_secret()
    request.session["two_step_secret"] = secret
    form = CodeForm(post_data(request), submit="Turn on two-step sign-in")
    if request.method == "POST" and form.is_valid():
        if use_code(person, form.cleaned_data["code"], secret=secret):
            User.objects.filter(pk=person.pk).update(totp_secret=secret, totp_enabled_at=timezone.now())
            del request.session["two_step_secret"]
            log_action(actor=person, action="turned on two-step sign-in", obj=person)
            messages.success(
                request, "Two-step sign-in is on. Next time you sign in, we will ask for a code from your app."
            )
            return redirect("accounts:profile")
        form.add_error("code", "That code is not right. Check the key you typed, and enter the code your app shows now")
    return render(
        request,
        "accounts/two_step.html",
        {
            "form": form,
            "enabled": False,
            "key": totp.grouped(secret),
            "uri": totp.provisioning_uri(secret, account=person.email, issuer=settings.SERVICE_NAME),
        },
    )


@require_POST
@permission_required("accounts.manage_person")
def turn_off_for(request, pk):
    """The training manager turns two-step sign-in off for someone who lost their phone."""
    person = get_object_or_404(User, pk=pk)
    if person.uses_two_step:
        User.objects.filter(pk=person.pk).update(totp_secret="", totp_enabled_at=None, totp_last_step=None)
        log_action(actor=request.user, action="turned off two-step sign-in", obj=person)
        messages.success(
            request, f"Two-step sign-in is off for {person.full_name}. They can turn it on again from their details."
        )
    return redirect("manage:person", pk=person.pk)
