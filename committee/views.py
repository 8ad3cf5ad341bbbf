"""The training sub-committee's pages: audit rounds and their returns, the papers the worker builds
for the Board, and agencies' requests for advice."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.access import permission_required
from common.views import form_error, post_data, site_url
from evaluation.models import IssueStatus
from tna import services as tna_services
from tna.forms import ReasonForm, SubmitForm
from tna.models import ReturnStatus, TnaReturn

from . import selectors, services
from .forms import (
    ActionForm,
    AdviceAnswerForm,
    AdviceForm,
    AnswersForm,
    AttendanceForm,
    CloseActionForm,
    DayRateForm,
    DecisionForm,
    DeliveryForm,
    FindingsForm,
    IssueActionForm,
    IssueMeetingForm,
    IssueOutcomeForm,
    IssuesPaperForm,
    MeetingForm,
    MemberForm,
    MemberLeftForm,
    OpenRoundForm,
    PaperLinkForm,
    PlanApprovalForm,
    PlanChangeForm,
    RatingForm,
    ReceiptForm,
)
from .services import CommitteeError


@permission_required("committee.read")
def index(request):
    return render(
        request,
        "committee/index.html",
        {
            "rounds": selectors.audit_rounds(),
            "advice": selectors.advice_counts(),
            "meetings": selectors.meetings()[:8],
            "members": selectors.members(current_only=True),
            "years": selectors.training_years(),
        },
    )


@permission_required("committee.manage")
def audit_new(request):
    services.ensure_standard_questions()  # put back any a flush removed, before the form lists them
    form = OpenRoundForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            cycle, told = services.open_audit_round(
                actor=request.user,
                title=form.cleaned_data["title"],
                deadline=form.cleaned_data["deadline"],
                questions=list(form.cleaned_data["questions"]),
                instructions=form.cleaned_data["instructions"],
                extra_question=form.cleaned_data["extra_question"],
                extra_hint=form.cleaned_data["extra_hint"],
                site_url=site_url(request),
            )
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{cycle} is open: {told} agencies' leads have been emailed.")
            return redirect("committee:audit", pk=cycle.pk)
    return render(request, "committee/audit_new.html", {"form": form, "title": "Open an audit round"})


@permission_required("committee.read")
def audit(request, pk):
    cycle = selectors.get_audit_round(pk)
    form = None
    if request.user.has_perm("committee.manage"):
        findings = getattr(cycle, "findings", None)
        form = FindingsForm(post_data(request), initial={"text": findings.text if findings else ""})
        if request.method == "POST" and form.is_valid():
            try:
                services.record_findings(actor=request.user, cycle=cycle, text=form.cleaned_data["text"])
            except CommitteeError as error:
                form_error(form, error)
            else:
                messages.success(request, "The sub-committee's findings are saved.")
                return redirect("committee:audit", pk=cycle.pk)
    elif request.method == "POST":
        raise PermissionDenied
    rows = selectors.round_overview(cycle)
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return render(
        request,
        "committee/audit.html",
        {
            "cycle": cycle,
            "rows": rows,
            "counts": sorted(counts.items()),
            "form": form,
            "findings": getattr(cycle, "findings", None),
            "papers": selectors.papers_of(cycle),
            "reminders": cycle.reminders.select_related("agency")[:100],
        },
    )


@require_POST
@permission_required("committee.manage")
def audit_report(request, pk):
    cycle = selectors.get_audit_round(pk)
    paper = services.request_audit_report(actor=request.user, cycle=cycle)
    messages.success(request, "The audit report is being built. This page shows when it is ready.")
    return redirect("committee:paper", pk=paper.pk)


@login_required
def my_audit(request):
    """The lead's way in: their agency's return for the latest open audit round."""
    user = request.user
    if not (user.is_agency_lead and user.agency_id):
        raise PermissionDenied
    cycle = selectors.latest_open_round()
    tna_return = TnaReturn.every_kind.filter(cycle=cycle, agency_id=user.agency_id).first() if cycle else None
    if tna_return is None:
        return render(request, "committee/no_audit.html")
    return redirect("committee:audit-return", pk=tna_return.pk)


@login_required
def audit_return(request, pk):
    tna_return = selectors.get_audit_return_for_user(request.user, pk)
    answers = selectors.answers_of(tna_return)
    return render(
        request,
        "committee/audit_return.html",
        {
            "tna_return": tna_return,
            "answers": answers,
            "answered": sum(1 for a in answers if a.text),
            "all_done": "answers" in tna_return.sections_done,
            "may_change": request.user.is_training_manager
            or (request.user.is_agency_lead and request.user.agency_id == tna_return.agency_id),
            "versions": tna_return.versions.select_related("by"),
        },
    )


@login_required
def audit_answers(request, pk):
    tna_return = selectors.get_audit_return_for_user(request.user, pk, write=True)
    if tna_return.is_locked:
        messages.error(
            request, "These answers have been submitted, so they are locked. Ask the training manager to reopen them."
        )
        return redirect("committee:audit-return", pk=tna_return.pk)
    form = AnswersForm(post_data(request), answers=selectors.answers_of(tna_return))
    if request.method == "POST" and form.is_valid():
        try:
            tna_services.save_answers(actor=request.user, tna_return=tna_return, answers=form.answers())
        except tna_services.TnaError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your answers are saved as a draft.")
            return redirect("committee:audit-return", pk=tna_return.pk)
    return render(request, "committee/audit_answers.html", {"tna_return": tna_return, "form": form})


@login_required
def audit_check(request, pk):
    tna_return = selectors.get_audit_return_for_user(request.user, pk, write=True)
    form = SubmitForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            tna_services.submit_return(
                actor=request.user, tna_return=tna_return, declaration=form.cleaned_data["declaration"]
            )
        except tna_services.TnaError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{tna_return.agency}'s answers to {tna_return.cycle} are submitted. Thank you.")
            return redirect("committee:audit-return", pk=tna_return.pk)
    return render(
        request,
        "committee/audit_check.html",
        {"tna_return": tna_return, "form": form, "answers": selectors.answers_of(tna_return)},
    )


@permission_required("committee.manage")
def audit_reopen(request, pk):
    tna_return = selectors.get_audit_return_for_user(request.user, pk, write=True)
    form = ReasonForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            tna_services.reopen_return(
                actor=request.user,
                tna_return=tna_return,
                reason=form.cleaned_data["reason"],
                site_url=site_url(request),
            )
        except tna_services.TnaError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{tna_return.agency}'s answers are reopened and its lead has been emailed.")
            return redirect("committee:audit-return", pk=tna_return.pk)
    return render(request, "committee/audit_reopen.html", {"tna_return": tna_return, "form": form})


@permission_required("committee.manage")
def audit_rate(request, pk):
    tna_return = selectors.get_audit_return_for_user(request.user, pk, write=True)
    if tna_return.status != ReturnStatus.SUBMITTED:
        messages.error(request, "Rate the answers once the agency has submitted them.")
        return redirect("committee:audit-return", pk=tna_return.pk)
    form = RatingForm(post_data(request), answers=selectors.answers_of(tna_return))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.rate_answers(actor=request.user, tna_return=tna_return, ratings=form.ratings())
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Ratings saved ({changed} changed).")
            return redirect("committee:audit-return", pk=tna_return.pk)
    return render(
        request,
        "committee/audit_rate.html",
        {"tna_return": tna_return, "form": form, "answers": selectors.answers_of(tna_return)},
    )


@permission_required("committee.read")
def paper(request, pk):
    found = selectors.get_paper_for_user(request.user, pk)
    return render(request, "committee/paper.html", {"paper": found})


@permission_required("committee.read")
def paper_download(request, pk):
    found = selectors.get_paper_for_user(request.user, pk)
    if found.status != "done":
        raise Http404("The paper is not ready")
    try:
        pdf = services.open_paper(actor=request.user, paper=found)
    except CommitteeError as error:
        messages.error(request, error.message)
        return redirect("committee:paper", pk=found.pk)
    return FileResponse(
        pdf, as_attachment=True, filename=f"{found.kind}-{found.pk}.pdf", content_type="application/pdf"
    )


@login_required
def advice(request):
    user = request.user
    if not (user.is_training_manager or (user.is_agency_lead and user.agency_id)):
        raise PermissionDenied
    form = AdviceForm(post_data(request)) if user.is_agency_lead else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.ask_advice(actor=user, question=form.cleaned_data["question"])
            except CommitteeError as error:
                form_error(form, error)
            else:
                messages.success(request, "Your question has been sent to the training sub-committee.")
                return redirect("committee:advice")
    return render(
        request,
        "committee/advice.html",
        {"form": form, "requests": selectors.advice_for_user(user)[:200], "counts": selectors.advice_counts()},
    )


@permission_required("committee.manage")
def advice_answer(request, pk):
    found = selectors.get_advice_request(pk)
    form = AdviceAnswerForm(post_data(request), initial={"answer": found.answer})
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_advice(actor=request.user, request=found, answer=form.cleaned_data["answer"])
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Your answer has been emailed to {found.asked_by or found.agency}.")
            return redirect("committee:advice")
    return render(request, "committee/advice_answer.html", {"advice_request": found, "form": form})


# --- Members, meetings, decisions and actions ------------------------------------------------------


@permission_required("committee.read")
def members(request):
    return render(request, "committee/members.html", {"members": selectors.members()})


@permission_required("committee.manage")
def member_new(request):
    form = MemberForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(
                actor=request.user,
                person=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                agency=form.cleaned_data["agency"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['email'].full_name} is a member of the sub-committee.")
            return redirect("committee:members")
    return render(request, "committee/member_new.html", {"form": form, "title": "Add a member"})


@permission_required("committee.manage")
def member_left(request, pk):
    member = selectors.get_member(pk)
    form = MemberLeftForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_left(actor=request.user, member=member, left_on=form.cleaned_data["left_on"])
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{member.person.full_name} has left the sub-committee.")
            return redirect("committee:members")
    return render(request, "committee/member_left.html", {"form": form, "member": member, "title": "A member leaves"})


@permission_required("committee.read")
def meetings(request):
    return render(request, "committee/meetings.html", {"meetings": selectors.meetings()})


@permission_required("committee.manage")
def meeting_new(request):
    form = MeetingForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(actor=request.user, **form.cleaned_data)
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{meeting} recorded. Add its papers, attendance and minutes.")
            return redirect("committee:meeting", pk=meeting.pk)
    return render(request, "committee/meeting_new.html", {"form": form, "title": "Record a meeting"})


@permission_required("committee.read")
def meeting(request, pk):
    found = selectors.get_meeting(pk)
    return render(
        request,
        "committee/meeting.html",
        {
            "meeting": found,
            "papers": found.papers.all(),
            "attendance": found.attendance.select_related("agency"),
            "decisions": found.decisions.all(),
            "actions": found.actions.select_related("owner", "agency"),
            "today": timezone.localdate(),
        },
    )


def _meeting_form(request, pk, form, template, title, save, done):
    found = selectors.get_meeting(pk)
    form = form(found)
    if request.method == "POST" and form.is_valid():
        try:
            save(found, form)
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, done)
            return redirect("committee:meeting", pk=found.pk)
    return render(request, template, {"form": form, "meeting": found, "title": title})


@permission_required("committee.manage")
def meeting_attendance(request, pk):
    def build(found):
        current = {a.agency_id: (a.status, a.represented_by) for a in found.attendance.all()}
        return AttendanceForm(post_data(request), agencies=selectors.seated_agencies(found.held_on), current=current)

    return _meeting_form(
        request,
        pk,
        build,
        "committee/meeting_form.html",
        "Who attended",
        lambda found, form: services.record_attendance(actor=request.user, meeting=found, attendance=form.attendance()),
        "Attendance saved.",
    )


@permission_required("committee.manage")
def meeting_paper(request, pk):
    return _meeting_form(
        request,
        pk,
        lambda found: PaperLinkForm(post_data(request)),
        "committee/meeting_form.html",
        "Add a paper",
        lambda found, form: services.add_paper(actor=request.user, meeting=found, **form.cleaned_data),
        "Paper added.",
    )


@permission_required("committee.manage")
def meeting_decision(request, pk):
    return _meeting_form(
        request,
        pk,
        lambda found: DecisionForm(post_data(request)),
        "committee/meeting_form.html",
        "Add a decision",
        lambda found, form: services.add_decision(actor=request.user, meeting=found, text=form.cleaned_data["text"]),
        "Decision added.",
    )


@permission_required("committee.manage")
def meeting_action(request, pk):
    return _meeting_form(
        request,
        pk,
        lambda found: ActionForm(post_data(request), owners=selectors.possible_owners()),
        "committee/meeting_form.html",
        "Add an action",
        lambda found, form: services.add_action(actor=request.user, meeting=found, **form.cleaned_data),
        "Action added. Its owner has been emailed.",
    )


@login_required
def actions(request):
    """The person's own actions; the training manager and Board members see every action."""
    shown = selectors.actions_in_view(request.user)
    mine = [a for a in shown if a.owner_id == request.user.pk]
    return render(
        request,
        "committee/actions.html",
        {
            "mine": mine,
            "others": [a for a in shown if a.owner_id != request.user.pk],
            "today": timezone.localdate(),
        },
    )


@login_required
def action_close(request, pk):
    action = selectors.get_action_for_user(request.user, pk)
    form = CloseActionForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.close_action(actor=request.user, action=action, outcome=form.cleaned_data["outcome"])
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Action closed: {action.text}")
            return redirect("committee:actions")
    return render(request, "committee/action_close.html", {"form": form, "action": action, "title": "Close an action"})


# --- Practice issues at the audit and evaluation committee ----------------------------------------


@permission_required("committee.read")
def issues(request):
    form = None
    if request.user.has_perm("committee.manage"):
        since = timezone.localdate() - timedelta(days=91)
        form = IssuesPaperForm(post_data(request), initial={"since": since.strftime("%d/%m/%Y")})
        if request.method == "POST" and form.is_valid():
            try:
                found = services.request_issues_paper(actor=request.user, since=form.cleaned_data["since"])
            except CommitteeError as error:
                form_error(form, error)
            else:
                messages.success(request, "The paper is being built. This page shows when it is ready.")
                return redirect("committee:paper", pk=found.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "committee/issues.html",
        {"issues": selectors.practice_issues(), "form": form, "papers": selectors.issues_papers()[:10]},
    )


ISSUE_STEPS = {
    IssueStatus.RAISED: IssueMeetingForm,
    IssueStatus.TAKEN: IssueActionForm,
    IssueStatus.AGREED: IssueOutcomeForm,
}


@permission_required("committee.read")
def issue(request, pk):
    """An issue's way through the committee; the training manager records the next step."""
    found = selectors.get_issue(pk)
    form_class = ISSUE_STEPS.get(found.status) if request.user.has_perm("committee.manage") else None
    if request.method == "POST" and form_class is None:
        raise PermissionDenied
    form = form_class(post_data(request)) if form_class else None
    if request.method == "POST" and form.is_valid():
        try:
            if found.status == IssueStatus.RAISED:
                services.take_issue_to_meeting(actor=request.user, issue=found, **form.cleaned_data)
            elif found.status == IssueStatus.TAKEN:
                services.agree_issue_action(actor=request.user, issue=found, **form.cleaned_data)
            else:
                services.close_issue(actor=request.user, issue=found, **form.cleaned_data)
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("committee:issue", pk=found.pk)
    return render(
        request,
        "committee/issue.html",
        {
            "issue": found,
            "hearing": getattr(found, "hearing", None),
            "form": form,
            "history": found.history.select_related("changed_by"),
            "today": timezone.localdate(),
        },
    )


# --- The programme plan ---------------------------------------------------------------------------


@permission_required("committee.read")
def plan(request, pk):
    year = selectors.get_year(pk)
    return render(request, "committee/plan.html", {"plan": selectors.programme_plan(year)})


@permission_required("committee.manage")
def plan_change(request, pk):
    year = selectors.get_year(pk)
    form = PlanChangeForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_plan_change(actor=request.user, year=year, **form.cleaned_data)
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, "Change recorded.")
            return redirect("committee:plan", pk=year.pk)
    return render(
        request, "committee/plan_form.html", {"form": form, "year": year, "title": "A change evaluation led to"}
    )


@permission_required("committee.manage")
def plan_approve(request, pk):
    year = selectors.get_year(pk)
    form = PlanApprovalForm(post_data(request), decisions=selectors.decisions_for_approval())
    if request.method == "POST" and form.is_valid():
        services.approve_plan(actor=request.user, year=year, decision=form.cleaned_data["decision"])
        messages.success(request, f"The decision that approved the {year} programme is recorded.")
        return redirect("committee:plan", pk=year.pk)
    return render(
        request, "committee/plan_form.html", {"form": form, "year": year, "title": "The decision that approved it"}
    )


# --- Money ----------------------------------------------------------------------------------------


@permission_required("committee.read")
def money(request, pk):
    year = selectors.get_year(pk)
    return render(
        request,
        "committee/money.html",
        {"statement": selectors.money_statement(year), "receipts": selectors.receipts_of(year)},
    )


@permission_required("committee.manage")
def money_rate(request, pk):
    year = selectors.get_year(pk)
    current = getattr(year, "finance", None)
    form = DayRateForm(post_data(request), initial={"trainer_day_rate": current.trainer_day_rate if current else None})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_trainer_day_rate(actor=request.user, year=year, rate=form.cleaned_data["trainer_day_rate"])
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, "The value of a trainer day is saved.")
            return redirect("committee:money", pk=year.pk)
    return render(request, "committee/money_form.html", {"form": form, "year": year, "title": "Value of a trainer day"})


@permission_required("committee.manage")
def money_receipt(request, pk):
    year = selectors.get_year(pk)
    form = ReceiptForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_receipt(actor=request.user, year=year, **form.cleaned_data)
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, "Money received is recorded.")
            return redirect("committee:money", pk=year.pk)
    return render(request, "committee/money_form.html", {"form": form, "year": year, "title": "Record money received"})


@permission_required("committee.read")
def deliveries(request, pk):
    year = selectors.get_year(pk)
    return render(
        request, "committee/deliveries.html", {"year": year, "sessions": selectors.sessions_and_delivery(year)}
    )


@permission_required("committee.manage")
def delivery(request, pk):
    session = selectors.get_session(pk)
    current = getattr(session, "delivery", None)
    initial = (
        {"delivered_by": current.delivered_by, "provider": current.provider, "cost": current.cost} if current else {}
    )
    form = DeliveryForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_delivery(actor=request.user, session=session, **form.cleaned_data)
        except CommitteeError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Saved who delivered {session}.")
            year = selectors.year_of(session)
            return redirect("committee:deliveries", pk=year.pk) if year else redirect("committee:index")
    return render(request, "committee/delivery.html", {"form": form, "session": session, "title": "Who delivered it"})
