"""Evaluation pages: delegates answer from an emailed link; the training manager runs
questionnaires, reviews comments and records focus groups, observations and practice issues;
the training manager and the Board read aggregate results."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from common.access import permission_required
from common.errors import LinkExpired
from common.pagecache import PER_ROLES, shared_page
from common.svg import horizontal_bars
from common.views import form_error, link_expired_page, post_data
from courses.models import Course, Session
from tna.models import TrainingYear

from . import selectors, services
from .forms import AnswerForm, FocusGroupForm, IssueForm, IssueStatusForm, ItemForm, ObservationForm, SettingsForm
from .models import Answer, FocusGroup, Item, Observation, PracticeIssue, Questionnaire, TextStatus
from .services import EvaluationError


def answer(request, token):
    """The emailed link: no sign-in needed, one questionnaire, answered once."""
    try:
        invitation = services.invitation_from_token(token)
    except LinkExpired as error:
        return link_expired_page(request, error)
    except EvaluationError as error:
        return render(request, "evaluation/link_problem.html", {"message": error.message}, status=400)
    session = invitation.session
    if invitation.answered_at:
        return render(
            request, "evaluation/thanks.html", {"invitation": invitation, "session": session, "already": True}
        )
    form = AnswerForm(post_data(request), questionnaire=invitation.questionnaire, course=session.course)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(invitation=invitation, answers=form.answers())
        except LinkExpired as error:  # it closed while the page was open
            return link_expired_page(request, error)
        except EvaluationError as error:
            form_error(form, error)
        else:
            return render(
                request,
                "evaluation/thanks.html",
                {
                    "invitation": invitation,
                    "session": session,
                    "certificate": session.course.evaluation.certificate_needs_evaluation,
                },
            )
    return render(request, "evaluation/answer.html", {"form": form, "invitation": invitation, "session": session})


@permission_required("evaluation.manage")
def index(request):
    questionnaires = (
        Questionnaire.objects.filter(next_version__isnull=True)
        .annotate(asked=Count("invitations"))
        .order_by("stage", "name")
    )
    pending = Answer.objects.filter(text_status=TextStatus.PENDING).count()
    open_issues = PracticeIssue.objects.exclude(status="closed").count()
    courses = Course.objects.filter(active=True).select_related(
        "evaluation__before", "evaluation__immediate", "evaluation__follow_up"
    )
    return render(
        request,
        "evaluation/index.html",
        {"questionnaires": questionnaires, "pending": pending, "open_issues": open_issues, "courses": courses},
    )


@permission_required("evaluation.manage")
def questionnaire(request, pk):
    found = get_object_or_404(Questionnaire, pk=pk)
    form = ItemForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.add_item(
                actor=request.user,
                questionnaire=found,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                hint=form.cleaned_data["hint"],
                choices=form.cleaned_data["choices"].splitlines(),
                required=form.cleaned_data["required"],
            )
        except EvaluationError as error:
            form_error(form, error)
        else:
            if item.questionnaire_id != found.pk:
                messages.success(
                    request,
                    f"People have already answered version {found.version}, so the question was added to a new "
                    f"version {item.questionnaire.version}. Courses using it now ask the new version.",
                )
            else:
                messages.success(request, "Question added.")
            return redirect("evaluation:questionnaire", pk=item.questionnaire_id)
    return render(
        request,
        "evaluation/questionnaire.html",
        {"questionnaire": found, "items": found.items.all(), "form": form, "asked": found.invitations.count()},
    )


@require_POST
@permission_required("evaluation.manage")
def remove_item(request, pk):
    item = get_object_or_404(Item.objects.select_related("questionnaire"), pk=pk)
    try:
        target = services.remove_item(actor=request.user, item=item)
    except EvaluationError as error:
        messages.error(request, error.message)
        return redirect("evaluation:questionnaire", pk=item.questionnaire_id)
    messages.success(
        request,
        "Question removed"
        + (f" from the new version {target.version}." if target.pk != item.questionnaire_id else "."),
    )
    return redirect("evaluation:questionnaire", pk=target.pk)


@permission_required("evaluation.manage")
def course_settings(request, pk):
    course = get_object_or_404(Course, pk=pk)
    current = services.settings_for(course)
    form = SettingsForm(post_data(request), instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_course_evaluation(actor=request.user, evaluation=current, **form.cleaned_data)
        except EvaluationError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Evaluation settings saved for {course.title}.")
            return redirect("evaluation:index")
    return render(
        request,
        "evaluation/form_page.html",
        {"form": form, "title": f"Evaluation of {course.title}", "back": "evaluation:index"},
    )


def _confidence_chart(result):
    rows = [(c.outcome, [c.before, c.after]) for c in result.confidence if c.shown]
    if not rows:
        return ""
    return horizontal_bars(
        title="Confidence before and after the course, by learning outcome",
        description="; ".join(
            f"{c.outcome}: {c.before} before, {c.after} after (out of 10)" for c in result.confidence if c.shown
        ),
        series=["Before (average out of 10)", "After"],
        rows=rows,
    )


@permission_required("evaluation.view_results")
@shared_page(per=PER_ROLES)  # the same figures for everyone who may see them
def course_results(request, pk):
    course = get_object_or_404(Course, pk=pk)
    years = list(TrainingYear.objects.all())
    year = next((y for y in years if str(y.pk) == request.GET.get("year")), None)
    sessions = selectors.sessions_in(
        course=course, starts_on=year.starts_on if year else None, ends_on=year.ends_on if year else None
    )
    result = selectors.results(sessions)
    return render(
        request,
        "evaluation/results.html",
        {
            "course": course,
            "result": result,
            "chart": _confidence_chart(result),
            "years": years,
            "year": year,
            "agreement_label": selectors.agreement_label,
        },
    )


@permission_required("evaluation.view_results")
def session_results(request, pk):
    session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
    result = selectors.results(selectors.sessions_in(session=session))
    return render(
        request,
        "evaluation/results.html",
        {"course": session.course, "session": session, "result": result, "chart": _confidence_chart(result)},
    )


@permission_required("evaluation.manage")
def comments(request):
    """Free-text answers waiting for review before they can appear in any report."""
    if request.method == "POST":
        found = get_object_or_404(
            Answer, pk=request.POST.get("answer", "0") if request.POST.get("answer", "").isdigit() else 0
        )
        try:
            services.review_text(actor=request.user, answer=found, status=request.POST.get("status", ""))
        except EvaluationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Comment reviewed.")
        return redirect("evaluation:comments")
    pending = (
        Answer.objects.filter(text_status=TextStatus.PENDING)
        .select_related(
            "item",
            "response__invitation__booking__session__course",
            "response__invitation__attendance__session__course",
        )
        .order_by("response__submitted_at")[:50]
    )
    return render(request, "evaluation/comments.html", {"pending": pending})


@permission_required("evaluation.manage")
def focus_groups(request):
    form = FocusGroupForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        services.record_focus_group(actor=request.user, **form.cleaned_data)
        messages.success(request, "Focus group recorded.")
        return redirect("evaluation:focus-groups")
    return render(
        request,
        "evaluation/focus_groups.html",
        {"form": form, "groups": FocusGroup.objects.select_related("course")[:100]},
    )


@permission_required("evaluation.manage")
def observations(request, pk):
    session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
    form = ObservationForm(post_data(request), session=session)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        trainers = list(data.pop("trainers"))
        try:
            services.record_observation(actor=request.user, session=session, trainers=trainers, **data)
        except EvaluationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Observation recorded.")
            return redirect("evaluation:observations", pk=session.pk)
    found = Observation.objects.filter(session=session).prefetch_related("trainers", "values_seen")
    return render(request, "evaluation/observations.html", {"session": session, "form": form, "observations": found})


@permission_required("evaluation.manage")
def issues(request):
    source = {}
    for name, model in (("answer", Answer), ("focus_group", FocusGroup), ("observation", Observation)):
        value = request.GET.get(name)
        if value and value.isdigit():
            source[name] = get_object_or_404(model, pk=int(value))
    form = IssueForm(post_data(request))
    form.helper.form_action = request.get_full_path()  # keeps ?answer= (or the focus group or observation) on the POST
    if request.method == "POST" and form.is_valid():
        issue = services.raise_issue(actor=request.user, **form.cleaned_data, **source)
        messages.success(request, "Issue raised for the audit and evaluation committee.")
        return redirect("evaluation:issue", pk=issue.pk)
    found = PracticeIssue.objects.select_related("raised_by").annotate(changes=Count("history"))
    return render(
        request,
        "evaluation/issues.html",
        {
            "form": form,
            "issues": found,
            "source": source,
            "counts": PracticeIssue.objects.aggregate(open=Count("pk", filter=~Q(status="closed"))),
        },
    )


@permission_required("evaluation.manage")
def issue(request, pk):
    found = get_object_or_404(
        PracticeIssue.objects.select_related("answer__item", "focus_group__course", "observation__session__course"),
        pk=pk,
    )
    form = IssueStatusForm(post_data(request), initial={"status": found.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_issue_status(
                actor=request.user, issue=found, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except EvaluationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Status changed.")
            return redirect("evaluation:issue", pk=found.pk)
    return render(
        request,
        "evaluation/issue.html",
        {"issue": found, "form": form, "history": found.history.select_related("changed_by")},
    )
