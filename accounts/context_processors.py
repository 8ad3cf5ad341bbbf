from django.conf import settings

from common.templatetags.govuk import fixed_url


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
        items = [("Courses", fixed_url("courses:catalogue"))]
    else:
        items = [("Courses", fixed_url("courses:catalogue")), ("My training", fixed_url("courses:my-training"))]
        if user.has_perm("courses.manage_programme"):
            items.append(("Sessions", fixed_url("courses:manage-sessions")))
        if user.is_agency_lead:
            items.append(("Our training", fixed_url("courses:agency-training")))
        if user.is_agency_lead or user.is_training_manager:
            items.append(("Training needs", fixed_url("tna:index")))
        if user.is_board_member or user.is_training_manager:
            items.append(("Board dashboard", fixed_url("reports:dashboard")))
        elif user.is_agency_lead:
            items.append(("Reports", fixed_url("reports:runs")))
        if user.is_board_member:
            items.append(("Attendance against need", fixed_url("tna:attendance-latest")))
        if user.is_board_member or user.is_training_manager:
            items.append(("Sub-committee", fixed_url("committee:index")))
        elif user.is_agency_lead:
            items.append(("Training audit", fixed_url("committee:my-audit")))
        if user.is_training_manager:
            items.append(("Trainer pool", fixed_url("pool:members")))
            items.append(("Evaluation", fixed_url("evaluation:index")))
        elif user.is_agency_lead:
            items.append(("Trainers", fixed_url("pool:my-agency")))
        else:
            items.append(("Trainer pool", fixed_url("pool:mine")))
        if user.has_perm("courses.view_charges"):
            items.append(("Charges", fixed_url("courses:charges")))
        if user.has_perm("accounts.list_people"):
            items.append(("People" if user.is_training_manager else "Our people", fixed_url("manage:people")))
        if user.has_perm("accounts.manage_agencies"):
            items.append(("Agencies", fixed_url("manage:agencies")))
    path = request.path
    return [
        {"label": label, "url": url, "current": path == url or (url != "/" and path.startswith(url + "/"))}
        for label, url in items
    ]
