"""Training done elsewhere: the person records it, their agency lead confirms it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from common.access import permission_required
from common.views import form_error, post_data, site_url

from ..forms.pathway import ExternalTrainingDecisionForm, ExternalTrainingForm
from ..selectors.external_training import get_external_training_for_user, waiting_for
from ..services.pathway import PathwayError, decide_external_training, record_external_training


@login_required
def record(request):
    form = ExternalTrainingForm(post_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_external_training(
                actor=request.user,
                person=request.user,
                level=data["level"],
                title=data["title"],
                provider=data["provider"],
                completed_on=data["completed_on"],
                certificate=data["certificate"],
                site_url=site_url(request),
            )
        except PathwayError as error:
            form_error(form, error)
        else:
            messages.success(
                request, "Training recorded. It counts towards your pathway once your agency lead confirms it."
            )
            return redirect("courses:my-training")
    return render(request, "courses/training/external_record.html", {"form": form})


@permission_required("courses.view_agency_training")
def waiting(request):
    return render(request, "courses/training/external_waiting.html", {"records": waiting_for(request.user)})


@login_required
def decide(request, pk):
    record = get_external_training_for_user(request.user, pk, write=request.method == "POST")
    form = ExternalTrainingDecisionForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            decide_external_training(
                actor=request.user,
                record=record,
                confirm=form.cleaned_data["decision"] == "confirm",
                reason=form.cleaned_data["reason"],
            )
        except PathwayError as error:
            form_error(form, error)
        else:
            if form.cleaned_data["decision"] == "confirm":
                text = f"{record.title} is confirmed for {record.person}, who has been told by email."
            else:
                text = f"{record.title} is not accepted for {record.person}, who has been told why by email."
            messages.success(request, text)
            return redirect("courses:external-training")
    return render(request, "courses/training/external_decide.html", {"record": record, "form": form})


@login_required
def certificate(request, pk):
    record = get_external_training_for_user(request.user, pk)
    if not record.certificate:
        raise Http404("No certificate")
    name = record.certificate.name.split("/")[-1]
    return FileResponse(record.certificate.open("rb"), as_attachment=True, filename=name)
