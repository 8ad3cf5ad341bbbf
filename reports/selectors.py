from django.http import Http404

from .models import ReportRun


def runs_for(user):
    """The runs a person may see: all for the Board and the training manager, an agency lead's agency's."""
    runs = ReportRun.objects.select_related("requested_by", "agency")
    if user.is_training_manager or user.is_board_member:
        return runs
    if user.is_agency_lead and user.agency_id:
        return runs.filter(agency_id=user.agency_id)
    return runs.none()


def get_run_for_user(user, pk: int) -> ReportRun:
    run = runs_for(user).filter(pk=pk).first()
    if run is None:
        raise Http404("No such report")
    return run
