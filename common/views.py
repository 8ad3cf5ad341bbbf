"""What every app's views share: the form → service → message → redirect helpers."""

from django.shortcuts import render

from .errors import DomainError, LinkExpired


def site_url(request) -> str:
    """The address people reached us on, for links in the emails this request sends."""
    return request.build_absolute_uri("/").rstrip("/")


def post_data(request):
    """The form's data on a POST, even an empty one (no boxes ticked); None otherwise."""
    return request.POST if request.method == "POST" else None


def form_error(form, error: DomainError) -> None:
    """Show a service's refusal on the form, next to the field it concerns."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def link_expired_page(request, error: LinkExpired):
    """The page for an emailed link whose time has passed: 410 Gone, since the link will never
    work again, with what happened and what to do instead."""
    return render(request, "link_expired.html", {"error": error}, status=410)
