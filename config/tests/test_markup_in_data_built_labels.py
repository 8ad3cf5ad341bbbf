"""Markup in data-built labels: no form shows text from the database as markup.

crispy-forms-gds prints labels, legends and help texts as they are (`{{ field.label|safe }}`), so a
person named `Sam Newman<input type="hidden" name="b294" value="no_show">` once added a field to the
trainer's register. Every form the project defines is built here from records whose names, titles and
texts carry markup, rendered through crispy-forms-gds (the path that prints labels unescaped; pages that
render fields by hand autoescape), and parsed: no element the data tried to add may exist, and the data
must still be readable as text.

A new form class fails `test_every_form_class_has_a_builder` until it has a builder below.
"""

import datetime
import importlib
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import django_filters
import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.factories import (
    AgencyFactory,
    OrganisationCategoryFactory,
    TargetGroupFactory,
    UserFactory,
    trainer,
    training_manager,
)
from accounts.selectors import partnership
from courses.factories import BookingFactory, CourseFactory, LevelFactory, SessionFactory, VenueFactory
from courses.models import BookingPolicy
from pool.factories import MembershipCriterionFactory

APPS = ("common", "accounts", "courses", "tna", "pool", "evaluation", "committee", "reports", "transfer")

# Each piece of data carries both kinds of markup: an element to find by id and a form field to find by name.
EVIL = '<b id="evil">bold</b><input type="hidden" name="evil" value="no_show">'


def hostile(text: str) -> str:
    return f"{text} {EVIL}"


def _import_project_modules():
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            importlib.import_module(".".join(parts))


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# Bases that only other forms build on: they have no fields of their own to label.
FORM_BASES = {"common.forms.RecordForm"}


def project_classes(base) -> set[str]:
    _import_project_modules()
    names = {f"{c.__module__}.{c.__qualname__}" for c in _subclasses(base) if c.__module__.split(".")[0] in APPS}
    return names - FORM_BASES


class Markup(HTMLParser):
    """The elements an HTML page holds and the text a reader sees."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def injected(self) -> list:
        return [
            (tag, attrs) for tag, attrs in self.elements if attrs.get("id") == "evil" or attrs.get("name") == "evil"
        ]

    def shows(self, text: str) -> bool:
        return text in " ".join(" ".join(self.text).split())


@pytest.fixture
def world(db, settings):
    """One of everything a form builds labels from, each named with markup."""
    category = OrganisationCategoryFactory(name=hostile("School or academy"), description=hostile("Fees for schools"))
    agency = AgencyFactory(name=hostile("Northshire Police"), category=category)
    group = TargetGroupFactory(number=3, name=hostile("Work with children"), description=hostile("Practitioners"))
    level = LevelFactory(number=2, name=hostile("Inter-agency foundation"))
    course = CourseFactory(
        title=hostile("Working Together to Safeguard Children"),
        level=level,
        learning_outcomes=hostile("Recognise signs of neglect") + "\nKnow how to make a referral",
    )
    venue = VenueFactory(name=hostile("Riverside Community Centre"))
    from courses.models import Room

    room = Room.objects.create(venue=venue, name=hostile("Training Suite 2"), capacity=20)
    person = UserFactory(full_name=hostile("Sam Newman"), agency=agency, target_group=group, job_title=hostile("Nurse"))
    delivering = trainer(full_name=hostile("Olivia Grant"), agency=agency)
    session = SessionFactory(course=course, venue=venue)
    session.trainers.add(delivering)
    booking = BookingFactory(session=session, person=person, agency=agency)
    criterion = MembershipCriterionFactory(text=hostile("Has delivered training"), guidance=hostile("Look for"))

    from evaluation.models import Item, ItemKind, Questionnaire, Stage
    from tna.models import TrainingYear

    questionnaire = Questionnaire.objects.create(name=hostile("Straight after the course"), stage=Stage.IMMEDIATE)
    for position, kind in enumerate(ItemKind.values):
        Item.objects.create(
            questionnaire=questionnaire,
            position=position,
            kind=kind,
            text=hostile(f"Question {position}"),
            hint=hostile(f"Hint {position}"),
            choices=[hostile("Option one"), "Option two"],
        )
    year = TrainingYear.objects.create(
        name="2026-27", starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2027, 3, 31)
    )
    from committee.models import AuditQuestion
    from evaluation.models import ObservationValue

    ObservationValue.objects.all().delete()
    ObservationValue.objects.create(text=hostile("Children's rights"), guidance=hostile("Views at the centre"))

    AuditQuestion.objects.all().delete()
    AuditQuestion.objects.create(number=1, text=hostile("Induction of new staff"), hint=hostile("Within weeks"))
    return {
        "category": category,
        "agency": agency,
        "group": group,
        "level": level,
        "course": course,
        "venue": venue,
        "room": room,
        "person": person,
        "trainer": delivering,
        "session": session,
        "booking": booking,
        "criterion": criterion,
        "questionnaire": questionnaire,
        "year": year,
    }


def _lines(w):
    # A course line and a level line, as the needs and single-agency sections have them (keys kept apart).
    return [(w["course"].pk, w["course"].title, (3, 1, 2)), (1000 + w["level"].pk, str(w["level"]), (4, 50, 1))]


def _audit_answers(w):
    """An audit return's answers, as the answers and rating pages have them (not saved: labels only)."""
    from tna.models import ReturnAnswer, ReturnQuestion

    question = ReturnQuestion(pk=7, number=1, text=hostile("Induction of new staff"), hint=hostile("Within weeks"))
    return [ReturnAnswer(pk=11, question=question, question_id=7, text=hostile("Within four weeks"))]


def _decisions(w):
    from committee.models import Decision, Meeting

    meeting = Meeting.objects.create(held_on=datetime.date(2027, 3, 10))
    Decision.objects.create(meeting=meeting, text=hostile("Programme 2027-28 approved"), decided_on=meeting.held_on)
    return Decision.objects.all()


def _candidates(w):
    person = w["trainer"]
    person.pool_status_label = hostile("applied")
    return [person]


def _builders():
    from accounts import data_protection, retention, two_step
    from accounts import forms as af
    from accounts.models import User
    from committee import forms as cf
    from courses import filters_training
    from courses.forms import booking, charges, manage, pathway, trainer_share
    from evaluation import forms as ef
    from pool import forms as pf
    from reports import forms as rf
    from reports import peer_forms
    from tna import forms as tf
    from transfer import forms as xf

    # Each builder makes the form as its page does, with the world's hostile records.
    return {
        data_protection.ErasureForm: lambda w: data_protection.ErasureForm(),
        data_protection.RetentionForm: lambda w: data_protection.RetentionForm(
            rules=retention.rules(), current=retention.periods()
        ),
        af.AgencyForm: lambda w: af.AgencyForm(instance=w["agency"]),
        af.ClaimDecisionForm: lambda w: af.ClaimDecisionForm(),
        af.DeactivateForm: lambda w: af.DeactivateForm(),
        af.GdsPasswordChangeForm: lambda w: af.GdsPasswordChangeForm(w["person"]),
        af.GdsPasswordResetForm: lambda w: af.GdsPasswordResetForm(),
        af.GdsSetPasswordForm: lambda w: af.GdsSetPasswordForm(w["person"]),
        af.MoveAgencyForm: lambda w: af.MoveAgencyForm(initial={"agency": w["agency"].pk}),
        af.PartnershipForm: lambda w: af.PartnershipForm(instance=partnership()),
        af.ProfileForm: lambda w: af.ProfileForm(instance=w["person"]),
        af.ResendVerificationForm: lambda w: af.ResendVerificationForm(),
        af.RolesForm: lambda w: af.RolesForm(),
        af.SignInForm: lambda w: af.SignInForm(),
        af.SignUpForm: lambda w: af.SignUpForm(),
        two_step.CodeForm: lambda w: two_step.CodeForm(),
        filters_training.AgencyTrainingFilterForm: lambda w: filters_training.AgencyTrainingFilterForm(),
        booking.ApprovalForm: lambda w: booking.ApprovalForm(),
        booking.BookForColleagueForm: lambda w: booking.BookForColleagueForm(),
        booking.CancelBookingForm: lambda w: booking.CancelBookingForm(),
        booking.ConfirmBookingForm: lambda w: booking.ConfirmBookingForm(warnings=["Already in date"]),
        booking.RegisterForm: lambda w: booking.RegisterForm(bookings=[w["booking"]]),
        booking.ReopenRegisterForm: lambda w: booking.ReopenRegisterForm(),
        booking.WalkInForm: lambda w: booking.WalkInForm(),
        pathway.ExternalTrainingForm: lambda w: pathway.ExternalTrainingForm(),
        pathway.ExternalTrainingDecisionForm: lambda w: pathway.ExternalTrainingDecisionForm(),
        charges.CertificateCheckForm: lambda w: charges.CertificateCheckForm(),
        charges.WaiveChargeForm: lambda w: charges.WaiveChargeForm(),
        charges.RaiseInvoiceForm: lambda w: charges.RaiseInvoiceForm(),
        manage.CancelSessionForm: lambda w: manage.CancelSessionForm(),
        manage.CourseForm: lambda w: manage.CourseForm(instance=w["course"]),
        manage.LevelForm: lambda w: manage.LevelForm(instance=w["level"]),
        manage.PathwayRuleForm: lambda w: manage.PathwayRuleForm(),
        manage.PolicyForm: lambda w: manage.PolicyForm(instance=BookingPolicy.current()),
        manage.SessionDateForm: lambda w: manage.SessionDateForm(),
        manage.SessionForm: lambda w: manage.SessionForm(),
        manage.TargetGroupForm: lambda w: manage.TargetGroupForm(instance=w["group"]),
        manage.VenueForm: lambda w: manage.VenueForm(instance=w["venue"]),
        manage.RoomForm: lambda w: manage.RoomForm(instance=w["room"]),
        booking.SessionMessageForm: lambda w: booking.SessionMessageForm(),
        trainer_share.TrainerShareForm: lambda w: trainer_share.TrainerShareForm(),
        ef.AnswerForm: lambda w: ef.AnswerForm(questionnaire=w["questionnaire"], course=w["course"]),
        ef.FocusGroupForm: lambda w: ef.FocusGroupForm(),
        ef.IssueForm: lambda w: ef.IssueForm(),
        ef.IssueStatusForm: lambda w: ef.IssueStatusForm(),
        ef.ItemForm: lambda w: ef.ItemForm(),
        ef.ObservationForm: lambda w: ef.ObservationForm(session=w["session"]),
        ef.SettingsForm: lambda w: ef.SettingsForm(),
        pf.ApplicationForm: lambda w: pf.ApplicationForm(),
        pf.AssignForm: lambda w: pf.AssignForm(
            trainers=User.objects.filter(pk=w["trainer"].pk), candidates=_candidates(w)
        ),
        pf.CommitmentsForm: lambda w: pf.CommitmentsForm(
            agencies=[w["agency"]], initial_days={w["agency"].pk: Decimal("2.5")}
        ),
        pf.CriterionForm: lambda w: pf.CriterionForm(instance=w["criterion"]),
        pf.EndorseForm: lambda w: pf.EndorseForm(),
        pf.LeaveForm: lambda w: pf.LeaveForm(),
        pf.PeriodForm: lambda w: pf.PeriodForm(),
        pf.PolicyForm: lambda w: pf.PolicyForm(),
        pf.RespondForm: lambda w: pf.RespondForm(),
        pf.ReviewForm: lambda w: pf.ReviewForm(),
        pf.StatusForm: lambda w: pf.StatusForm(),
        rf.ReportKindForm: lambda w: rf.ReportKindForm(user=training_manager()),
        rf.RunForm: lambda w: rf.RunForm(user=training_manager(), kind="agency"),
        peer_forms.PeerFiguresForm: lambda w: peer_forms.PeerFiguresForm(),
        peer_forms.PeerImportForm: lambda w: peer_forms.PeerImportForm(),
        tf.ContributionsForm: lambda w: tf.ContributionsForm(year=w["year"]),
        tf.ImportForm: lambda w: tf.ImportForm(),
        tf.LinesForm: lambda w: tf.LinesForm(rows=_lines(w)),
        tf.NeedsForm: lambda w: tf.NeedsForm(rows=_lines(w)),
        tf.ReasonForm: lambda w: tf.ReasonForm(),
        tf.SingleAgencyForm: lambda w: tf.SingleAgencyForm(rows=_lines(w)),
        tf.StaffForm: lambda w: tf.StaffForm(rows=_lines(w)),
        tf.SubmitForm: lambda w: tf.SubmitForm(),
        tf.YearAndCycleForm: lambda w: tf.YearAndCycleForm(),
        cf.ActionForm: lambda w: cf.ActionForm(owners=User.objects.filter(pk=w["person"].pk)),
        cf.AttendanceForm: lambda w: cf.AttendanceForm(agencies=[w["agency"]], current={w["agency"].pk: ("", "")}),
        cf.CloseActionForm: lambda w: cf.CloseActionForm(),
        cf.IssueActionForm: lambda w: cf.IssueActionForm(),
        cf.IssueMeetingForm: lambda w: cf.IssueMeetingForm(),
        cf.IssueOutcomeForm: lambda w: cf.IssueOutcomeForm(),
        cf.IssuesPaperForm: lambda w: cf.IssuesPaperForm(),
        cf.DayRateForm: lambda w: cf.DayRateForm(),
        cf.DecisionForm: lambda w: cf.DecisionForm(),
        cf.DeliveryForm: lambda w: cf.DeliveryForm(),
        cf.ReceiptForm: lambda w: cf.ReceiptForm(),
        cf.MeetingForm: lambda w: cf.MeetingForm(),
        cf.MemberForm: lambda w: cf.MemberForm(),
        cf.MemberLeftForm: lambda w: cf.MemberLeftForm(),
        cf.PaperLinkForm: lambda w: cf.PaperLinkForm(),
        cf.PlanApprovalForm: lambda w: cf.PlanApprovalForm(decisions=_decisions(w)),
        cf.PlanChangeForm: lambda w: cf.PlanChangeForm(),
        cf.AdviceAnswerForm: lambda w: cf.AdviceAnswerForm(),
        cf.AdviceForm: lambda w: cf.AdviceForm(),
        cf.AnswersForm: lambda w: cf.AnswersForm(answers=_audit_answers(w)),
        cf.FindingsForm: lambda w: cf.FindingsForm(),
        cf.OpenRoundForm: lambda w: cf.OpenRoundForm(),
        cf.RatingForm: lambda w: cf.RatingForm(answers=_audit_answers(w)),
        xf.ExportForm: lambda w: xf.ExportForm(),
        xf.UploadForm: lambda w: xf.UploadForm(),
    }


# What a reader must still see on each form whose labels, hints or choices come from the data.
SHOWS = {
    "accounts.forms.AgencyForm": ["School or academy", "Fees for schools"],
    "accounts.forms.MoveAgencyForm": ["Northshire Police"],
    "accounts.forms.ProfileForm": ["Work with children", "Practitioners"],
    "accounts.forms.SignUpForm": ["Northshire Police", "Work with children"],
    "committee.forms.ActionForm": ["Sam Newman", "Northshire Police"],
    "committee.forms.AnswersForm": ["Induction of new staff", "Within weeks"],
    "committee.forms.AttendanceForm": ["Northshire Police"],
    "committee.forms.IssueActionForm": ["Northshire Police"],
    "committee.forms.MemberForm": ["Northshire Police"],
    "committee.forms.PlanApprovalForm": ["Programme 2027-28 approved"],
    "committee.forms.ReceiptForm": ["Northshire Police"],
    "committee.forms.PlanChangeForm": ["Working Together to Safeguard Children"],
    "committee.forms.OpenRoundForm": ["Induction of new staff", "Within weeks"],
    "committee.forms.RatingForm": ["Induction of new staff", "Within four weeks"],
    "courses.forms.booking.RegisterForm": ["Sam Newman", "Northshire Police"],
    "courses.forms.manage.PolicyForm": ["School or academy"],
    "courses.forms.pathway.ExternalTrainingForm": ["Inter-agency foundation"],
    "courses.forms.manage.SessionForm": ["Working Together to Safeguard Children", "Olivia Grant", "Training Suite 2"],
    "courses.forms.manage.PathwayRuleForm": ["Work with children", "Inter-agency foundation"],
    "evaluation.forms.AnswerForm": ["Question 0", "Hint 0", "Recognise signs of neglect", "Option one"],
    "evaluation.forms.ObservationForm": ["Olivia Grant", "Children's rights", "Views at the centre"],
    "evaluation.forms.SettingsForm": ["Straight after the course"],
    "pool.forms.ApplicationForm": ["Working Together to Safeguard Children"],
    "pool.forms.AssignForm": ["Olivia Grant", "applied"],
    "pool.forms.CommitmentsForm": ["Northshire Police"],
    "pool.forms.ReviewForm": ["Has delivered training", "Look for"],
    "reports.forms.RunForm": ["Northshire Police"],
    "tna.forms.ContributionsForm": ["Northshire Police"],
    "tna.forms.NeedsForm": ["Working Together to Safeguard Children", "Inter-agency foundation"],
    "tna.forms.SingleAgencyForm": ["Inter-agency foundation"],
    "tna.forms.StaffForm": ["Working Together to Safeguard Children"],
}


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_every_form_class_has_a_builder():
    built = {_name(cls) for cls in _builders()}
    defined = project_classes(forms.BaseForm)
    assert defined - built == set(), "a form class without a builder here: add one so its labels are checked"
    assert built - defined == set()


def test_markup_in_data_built_labels_is_escaped_in_every_form(world):
    failures = []
    for cls, build in _builders().items():
        form = build(world)
        page = Markup(render_crispy_form(form, helper=getattr(form, "helper", None)))
        if page.injected():
            failures.append(f"{_name(cls)} shows markup from data: {page.injected()}")
        for text in SHOWS.get(_name(cls), []):
            if not page.shows(hostile(text)):
                failures.append(f"{_name(cls)} does not show {hostile(text)!r} as text")
    assert failures == []


def test_markup_in_data_built_labels_adds_no_field_to_the_register_page(world, client):
    """The reproduced attack, as the trainer's browser receives the page: the only fields a save can send
    are the ones for the delegates on it."""
    session, booking = world["session"], world["booking"]
    session.starts_at = timezone.now() - timedelta(hours=1)
    session.save(update_fields=["starts_at"])
    olivia = BookingFactory(session=session, person=UserFactory(full_name="Olivia Grant", agency=world["agency"]))
    client.force_login(world["trainer"])
    page = Markup(client.get(f"/manage/sessions/{session.pk}/register").content.decode())
    assert page.injected() == []
    radios = {attrs["name"] for tag, attrs in page.elements if tag == "input" and attrs.get("type") == "radio"}
    assert radios == {f"b{booking.pk}", f"b{olivia.pk}"}
    assert page.shows(hostile("Sam Newman"))


def test_markup_in_data_built_labels_is_escaped_in_every_filter(world):
    """The list pages' filter forms, as `includes/filter_form.html` renders them."""
    from courses.filters_training import AgencyTrainingFilter

    filtersets = [cls for cls in _subclasses(django_filters.FilterSet) if cls.__module__.split(".")[0] in APPS]
    assert filtersets, "the project's filters were not found"
    failures, shown = [], []
    for cls in [*filtersets, AgencyTrainingFilter]:
        kwargs = {"user": world["person"]} if "user" in cls.__init__.__code__.co_varnames else {}
        filterset = cls(None, **kwargs)
        html = render_to_string("includes/filter_form.html", {"filter": filterset, "form": filterset.form})
        html += render_crispy_form(filterset.form)
        page = Markup(html)
        if page.injected():
            failures.append(f"{cls.__qualname__} shows markup from data: {page.injected()}")
        shown.append(page.shows(hostile("Northshire Police")))
    assert failures == []
    assert any(shown), "no filter offered the agency: the check above saw no data"
