"""Charges to agencies, and certificates (download and public check)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.http import FileResponse
from django.shortcuts import redirect, render

from common.access import permission_required
from common.listing import table_page
from common.money import format_money
from common.pagecache import shared_page
from common.views import form_error, post_data

from ..certificates import normalise_code, open_certificate_pdf
from ..filters_charges import ChargeFilter
from ..forms.charges import CertificateCheckForm, WaiveChargeForm
from ..gates import held_certificates
from ..models import Certificate
from ..selectors.charges import charges_visible_to, get_certificate_for_user, get_charge_for_user
from ..services.charges import ChargeError, waive_charge
from ..tables_charges import ChargeTable


@permission_required("courses.view_charges")
@shared_page  # every agency's charges for the training manager, their own agency's for a lead
def charges(request):
    filterset = ChargeFilter(request.GET or None, queryset=charges_visible_to(request.user), user=request.user)
    shown = filterset.qs
    live = Q(cancelled_at__isnull=True)
    totals = shown.aggregate(
        raised=Sum("amount", filter=live),
        waived=Sum("amount", filter=live & Q(waived_at__isnull=False)),
        outstanding=Sum("amount", filter=live & Q(waived_at__isnull=True, invoice__isnull=True)),
        invoiced=Sum("amount", filter=live & Q(invoice__isnull=False, invoice__paid_at__isnull=True)),
        paid=Sum("amount", filter=live & Q(invoice__paid_at__isnull=False)),
    )
    return table_page(
        request,
        table=ChargeTable(shown, can_waive=request.user.has_perm("courses.waive_charges")),
        filterset=filterset,
        template="courses/charges/charges.html",
        csv_filename="charges.csv",
        context={"totals": totals},
    )


@login_required
def waive(request, pk):
    charge = get_charge_for_user(request.user, pk, write=True)
    form = WaiveChargeForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            waive_charge(actor=request.user, charge=charge, reason=form.cleaned_data["reason"])
        except ChargeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"The {format_money(charge.amount)} charge to {charge.agency} has been waived.")
            return redirect("courses:charges")
    return render(request, "courses/charges/waive.html", {"charge": charge, "form": form})


@login_required
def certificate(request, code):
    certificate = get_certificate_for_user(request.user, code)
    record = certificate.attendance
    hold = held_certificates([record]).get(record.pk) if request.user.pk == record.person_id else None
    if hold:
        messages.info(request, hold.message)
        return redirect(hold.link or "courses:my-training")
    return FileResponse(
        open_certificate_pdf(certificate),
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type="application/pdf",
    )


def verify_certificate(request):
    form = CertificateCheckForm(request.GET if "code" in request.GET else None)
    found = None
    if form.is_bound and form.is_valid():
        found = (
            Certificate.objects.select_related("attendance__person", "attendance__session__course")
            .filter(code=normalise_code(form.cleaned_data["code"]))
            .first()
        )
    return render(
        request,
        "courses/certificates/verify.html",
        {"form": form, "found": found, "checked": form.is_bound and form.is_valid()},
    )
