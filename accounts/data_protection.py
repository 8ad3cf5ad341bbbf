"""The training manager's data-protection pages: retention periods with a dry run, and erasure requests."""

from crispy_forms_gds.layout import Button, Field, Fixed
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html

from common.access import permission_required
from common.views import form_error, post_data

from . import retention
from .forms import gds_helper
from .models import User


class RetentionForm(forms.Form):
    def __init__(self, *args, rules=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for rule in rules:
            self.fields[rule.key] = forms.IntegerField(
                label=format_html("{} ({})", rule.label, rule.unit),  # crispy prints labels as they are
                help_text=rule.explanation,
                min_value=1,
                max_value=100 if rule.unit == "years" else 1200,
                initial=rule.period(current),
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "required": f"Enter how many {rule.unit}",
                    "invalid": f"Enter a whole number of {rule.unit}",
                    "min_value": f"Enter at least 1 {rule.unit[:-1]}",
                    "max_value": "Enter a shorter period",
                },
            )
        self.helper = gds_helper(
            *(Field.text(name, field_width=Fixed.FOUR) for name in self.fields), submit="Save periods"
        )


class ErasureForm(forms.Form):
    reference = forms.CharField(
        label="Request reference or date",
        max_length=200,
        help_text=(
            "Where the request came from, so the decision can be traced (for example DP-2026-014, email of 3 November)."
        ),
        error_messages={"required": "Enter the request's reference or date"},
    )
    confirm = forms.BooleanField(
        label="I have checked the person's identity and want to remove their details",
        error_messages={"required": "Confirm that you have checked the request"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("reference"), Field.checkbox("confirm"), submit="Remove their details")
        self.helper.layout[-1] = Button.warning("submit", "Remove their details")


@permission_required("accounts.manage_person")
def retention_page(request):
    rules = retention.rules()
    form = RetentionForm(post_data(request), rules=rules, current=retention.periods())
    if request.method == "POST" and form.is_valid():
        retention.save_periods(actor=request.user, values=form.cleaned_data)
        messages.success(request, "Retention periods saved. They are applied every night.")
        return redirect("manage:retention")
    return render(request, "manage/retention.html", {"form": form, "preview": retention.dry_run()})


@permission_required("accounts.manage_person")
def erase(request, pk):
    person = get_object_or_404(User.objects.select_related("agency"), pk=pk)
    form = ErasureForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            retention.erase_person(actor=request.user, person=person, reference=form.cleaned_data["reference"])
        except retention.ErasureError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                f"{person.full_name}'s contact details, sign-in and emails have been removed. "
                "Their attendance evidence is kept.",
            )
            return redirect("manage:person", pk=person.pk)
    return render(
        request,
        "manage/erase.html",
        {
            "person": person,
            "form": form,
            "title": "Handle an erasure request",
            "counts": {"bookings": person.bookings.count(), "attendance": person.attendance.count()},
        },
    )
