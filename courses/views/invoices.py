"""Invoices to agencies: raised by the training manager, marked sent and paid; the PDF built by the worker."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.access import permission_required
from common.listing import table_page
from common.money import format_money
from common.views import form_error, post_data

from ..forms.charges import RaiseInvoiceForm
from ..selectors.charges import get_invoice_for_user, invoices_visible_to
from ..services import invoices as invoice_services
from ..services.invoices import InvoiceError
from ..tables_charges import InvoiceTable


@permission_required("courses.view_invoices")
def invoices(request):
    return table_page(
        request,
        table=InvoiceTable(invoices_visible_to(request.user)),
        filterset=None,
        template="courses/invoices/invoices.html",
        csv_filename="invoices.csv",
    )


@permission_required("courses.manage_invoices")
def invoice_new(request):
    form = RaiseInvoiceForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = invoice_services.raise_invoice(
                actor=request.user, agency=data["agency"], starts_on=data["starts_on"], ends_on=data["ends_on"]
            )
        except InvoiceError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                f"Invoice {invoice.reference} raised to {invoice.agency.name} for {format_money(invoice.total)}.",
            )
            return redirect("courses:invoice", pk=invoice.pk)
    return render(request, "courses/invoices/invoice_new.html", {"form": form})


@login_required
def invoice(request, pk):
    invoice = get_invoice_for_user(request.user, pk)
    return render(
        request,
        "courses/invoices/invoice.html",
        {"invoice": invoice, "lines": invoice_services.invoice_lines(invoice)},
    )


def _step(request, pk, service, done: str):
    invoice = get_invoice_for_user(request.user, pk, write=True)
    try:
        invoice = service(actor=request.user, invoice=invoice)
    except InvoiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{invoice.reference} marked as {done}.")
    return redirect("courses:invoice", pk=invoice.pk)


@require_POST
@login_required
def invoice_sent(request, pk):
    return _step(request, pk, invoice_services.mark_invoice_sent, "sent")


@require_POST
@login_required
def invoice_paid(request, pk):
    return _step(request, pk, invoice_services.mark_invoice_paid, "paid")


@login_required
def invoice_pdf(request, pk):
    invoice = get_invoice_for_user(request.user, pk)
    if not invoice.file:
        raise Http404("The invoice's PDF is being prepared")
    try:
        pdf = invoice.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The invoice's PDF is missing") from missing
    return FileResponse(
        pdf, as_attachment=True, filename=f"invoice-{invoice.reference}.pdf", content_type="application/pdf"
    )
