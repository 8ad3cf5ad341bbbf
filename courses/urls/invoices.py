from django.urls import path

from ..views import invoices

urlpatterns = [
    path("manage/invoices", invoices.invoices, name="invoices"),
    path("manage/invoices/new", invoices.invoice_new, name="invoice-new"),
    path("manage/invoices/<int:pk>", invoices.invoice, name="invoice"),
    path("manage/invoices/<int:pk>/sent", invoices.invoice_sent, name="invoice-sent"),
    path("manage/invoices/<int:pk>/paid", invoices.invoice_paid, name="invoice-paid"),
    path("manage/invoices/<int:pk>/invoice.pdf", invoices.invoice_pdf, name="invoice-pdf"),
]
