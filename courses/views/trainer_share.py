"""The training manager records the part of a session a trainer delivered, when it was not all of it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from common.access import permission_required
from common.views import form_error, post_data

from ..forms.trainer_share import TrainerShareForm
from ..models import Session, SessionTrainer
from ..services import programme
from ..services.programme import ProgrammeError
from .manage import MANAGE


@permission_required(MANAGE)
def trainer_share(request, pk, user_pk):
    row = get_object_or_404(
        SessionTrainer.objects.select_related("session__course", "user__agency"), session_id=pk, user_id=user_pk
    )
    session: Session = row.session
    initial = {"share_days": row.share_days.normalize() if row.share_days else None}
    form = TrainerShareForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme.record_trainer_share(
                actor=request.user, session=session, trainer=row.user, share_days=form.cleaned_data["share_days"]
            )
        except ProgrammeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{row.user.full_name}'s share of this session saved.")
            return redirect("pool:session-trainers", pk=session.pk)
    return render(request, "courses/manage/trainer_share.html", {"form": form, "row": row, "session": session})
