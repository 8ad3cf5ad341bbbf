"""All of the courses app's pages, one module per area, under the "courses" namespace."""

from . import booking, catalogue, charges, invoices, manage, pathway

app_name = "courses"

urlpatterns = [
    *catalogue.urlpatterns,
    *booking.urlpatterns,
    *manage.urlpatterns,
    *charges.urlpatterns,
    *invoices.urlpatterns,
    *pathway.urlpatterns,
]
