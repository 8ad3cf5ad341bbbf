from django.conf import settings
from django.urls import reverse


def service(request):
    """The service's name, who runs it, and the navigation for the signed-in person's roles."""
    from .selectors import partnership

    running = partnership()
    return {
        "service_name": settings.SERVICE_NAME,
        "partnership_name": running.name,
        "partnership_signature": running.signature,
        "support_email": settings.SUPPORT_EMAIL,
        "navigation": navigation_for(request),
    }


def navigation_for(request) -> list[dict]:
    """What each role sees in the menu. Anonymous visitors browse the catalogue."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        items = [("Courses", reverse("courses:catalogue"))]
    else:
        items = [("Courses", reverse("courses:catalogue")), ("My training", reverse("courses:my-training"))]
        if user.has_perm("courses.manage_programme"):
            items.append(("Sessions", reverse("courses:manage-sessions")))
        if user.is_agency_lead:
            items.append(("Our training", reverse("courses:agency-training")))
        if user.is_agency_lead or user.is_training_manager:
            items.append(("Training needs", reverse("tna:index")))
        if user.is_board_member or user.is_training_manager:
            items.append(("Board dashboard", reverse("reports:dashboard")))
        elif user.is_agency_lead:
            items.append(("Reports", reverse("reports:runs")))
        if user.is_board_member:
            items.append(("Attendance against need", reverse("tna:attendance-latest")))
        if user.is_board_member or user.is_training_manager:
            items.append(("Sub-committee", reverse("committee:index")))
        elif user.is_agency_lead:
            items.append(("Training audit", reverse("committee:my-audit")))
        if user.is_training_manager:
            items.append(("Trainer pool", reverse("pool:members")))
            items.append(("Evaluation", reverse("evaluation:index")))
        elif user.is_agency_lead:
            items.append(("Trainers", reverse("pool:my-agency")))
        else:
            items.append(("Trainer pool", reverse("pool:mine")))
        if user.has_perm("courses.view_charges"):
            items.append(("Charges", reverse("courses:charges")))
        if user.has_perm("accounts.list_people"):
            items.append(("People" if user.is_training_manager else "Our people", reverse("manage:people")))
        if user.has_perm("accounts.manage_agencies"):
            items.append(("Agencies", reverse("manage:agencies")))
    path = request.path
    return [
        {"label": label, "url": url, "current": path == url or (url != "/" and path.startswith(url + "/"))}
        for label, url in items
    ]
